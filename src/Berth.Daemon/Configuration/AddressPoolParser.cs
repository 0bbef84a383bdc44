using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Berth.Engine.Configuration;

namespace Berth.Daemon.Configuration;

/// <summary>
/// --default-address-pool / "default-address-pools". Flag syntax and messages follow moby's
/// daemon/pkg/opts/address_pools.go; the range checks follow libnetwork's splitByIPFamily,
/// which dockerd only runs at network setup; we run them at load so errors show up early.
/// </summary>
public static class AddressPoolParser
{
    /// <summary>Parses "base=172.30.0.0/16,size=24". Returns null with an error on bad syntax.</summary>
    public static AddressPool? ParseFlag(string value, out string? error)
    {
        error = null;
        string baseText = "";
        int size = 0;
        foreach (string field in value.Split(','))
        {
            // dockerd lowercases the whole field (keys and values) before splitting.
            string lowered = field.ToLowerInvariant();
            int eq = lowered.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                error = $"invalid field '{field}' must be a key=value pair";
                return null;
            }
            string key = lowered[..eq];
            string val = lowered[(eq + 1)..];
            switch (key)
            {
                case "base":
                    if (NormalizePrefix(val) is null)
                    {
                        error = $"invalid base prefix \"{val}\": not a valid CIDR prefix";
                        return null;
                    }
                    baseText = val;
                    break;
                case "size":
                    if (!int.TryParse(val, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out size))
                    {
                        error = $"invalid size value: \"{value}\" (must be integer): strconv.Atoi: parsing \"{val}\": invalid syntax";
                        return null;
                    }
                    break;
                default:
                    error = $"unexpected key '{key}' in '{field}'";
                    return null;
            }
        }
        return new AddressPool(baseText, size);
    }

    /// <summary>Checks every pool and returns them with the base masked to its network address.</summary>
    public static IReadOnlyList<AddressPool>? Validate(IReadOnlyList<AddressPool> pools, out string? error)
    {
        error = null;
        var result = new List<AddressPool>(pools.Count);
        for (int i = 0; i < pools.Count; i++)
        {
            AddressPool pool = pools[i];
            string shown = $"base={pool.Base},size={pool.Size}";
            if (NormalizePrefix(pool.Base) is not var (network, bits, maxBits) || pool.Size <= 0)
            {
                error = $"invalid default-address-pool at index {i} ({shown}): not in canonical form";
                return null;
            }
            if (bits > pool.Size)
            {
                error = $"invalid default-address-pool at index {i} ({shown}): has a smaller prefix (/{bits}) than the target size of that pool (/{pool.Size})";
                return null;
            }
            if (pool.Size > maxBits)
            {
                error = $"invalid default-address-pool at index {i} ({shown}): size /{pool.Size} is longer than the address (/{maxBits})";
                return null;
            }
            result.Add(new AddressPool($"{network}/{bits}", pool.Size));
        }
        return result;
    }

    /// <summary>Parses "addr/bits" and masks host bits, like netip's Prefix.Masked().</summary>
    internal static (string Network, int Bits, int MaxBits)? NormalizePrefix(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text[..slash], out IPAddress? address)
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int bits))
        {
            return null;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        // IPAddress.TryParse accepts shorthand like "10" or "1.2.3"; a CIDR base needs four parts.
        if (address.AddressFamily == AddressFamily.InterNetwork && text[..slash].Count(c => c == '.') != 3)
        {
            return null;
        }
        byte[] bytes = address.GetAddressBytes();
        int maxBits = bytes.Length * 8;
        if (bits > maxBits || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0))
        {
            return null;
        }
        for (int b = 0; b < bytes.Length; b++)
        {
            int keep = Math.Clamp(bits - (b * 8), 0, 8);
            bytes[b] &= (byte)(0xFF << (8 - keep));
        }
        return (new IPAddress(bytes).ToString(), bits, maxBits);
    }
}
