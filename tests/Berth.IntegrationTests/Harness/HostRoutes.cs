using System.Globalization;

namespace Berth.IntegrationTests.Harness;

/// <summary>The host's IPv4 routes from /proc/net/route, to keep test address pools off them.</summary>
public static class HostRoutes
{
    /// <summary>Whether <paramref name="network"/>/<paramref name="prefix"/> (host byte order) overlaps a non-default route.</summary>
    public static bool Overlaps(uint network, int prefix)
    {
        foreach (var (destination, mask) in Routes())
        {
            if (mask == 0)
            {
                continue; // the default route covers everything and matters to nobody here
            }
            uint common = mask & PrefixMask(prefix);
            if ((destination & common) == (network & common))
            {
                return true;
            }
        }
        return false;
    }

    private static uint PrefixMask(int prefix) => prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);

    private static IEnumerable<(uint Destination, uint Mask)> Routes()
    {
        // Fields: Iface Destination Gateway Flags RefCnt Use Metric Mask ...; addresses in
        // little-endian hex (network byte order read as a native int on x86).
        foreach (string line in File.ReadLines("/proc/net/route").Skip(1))
        {
            string[] f = line.Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (f.Length < 8 || !uint.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint d)
                || !uint.TryParse(f[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint m))
            {
                continue;
            }
            yield return (System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(d), System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(m));
        }
    }
}
