namespace Berth.Networking;

/// <summary>
/// net.ipv4.ip_forward: bridge networks route through the host, so dockerd turns it on when it
/// is off. Berth does the same, but (unlike dockerd) leaves the FORWARD policy alone.
/// </summary>
public static class IpForwarding
{
    public const string Path = "/proc/sys/net/ipv4/ip_forward";

    /// <summary>Returns true when it had to switch forwarding on.</summary>
    public static bool EnsureEnabled(string path = Path)
    {
        string current = File.Exists(path) ? File.ReadAllText(path).Trim() : "1";
        if (current == "1")
        {
            return false;
        }
        File.WriteAllText(path, "1\n");
        return true;
    }
}
