namespace Berth.Networking.Ports;

/// <summary>
/// The range random host ports come from: the kernel's ip_local_port_range, as dockerd's port
/// allocator reads it (so containers and outgoing connections draw from the same pool), with
/// dockerd's fallback when the file is missing or unreadable.
/// </summary>
public readonly record struct EphemeralPortRange(int Start, int End)
{
    public const string KernelParameter = "/proc/sys/net/ipv4/ip_local_port_range";

    /// <summary>libnetwork portallocator_unix.go defaultPortRangeStart/End.</summary>
    public static readonly EphemeralPortRange Fallback = new(49153, 65535);

    /// <summary>"32768\t60999\n" → 32768-60999; null for anything else.</summary>
    public static EphemeralPortRange? Parse(string text)
    {
        string[] fields = text.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 2 || !int.TryParse(fields[0], out int start) || !int.TryParse(fields[1], out int end) ||
            start < 1 || end > 65535 || end < start)
        {
            return null;
        }
        return new EphemeralPortRange(start, end);
    }

    public static EphemeralPortRange Read(string path = KernelParameter)
    {
        try
        {
            return Parse(File.ReadAllText(path)) ?? Fallback;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fallback;
        }
    }

    public override string ToString() => $"{Start}-{End}";
}
