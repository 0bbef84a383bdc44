using System.Globalization;
using Berth.Engine.Errors;

namespace Berth.Networking;

/// <summary>The bridge driver options Berth honours, parsed with dockerd's keys and Go's bool syntax.</summary>
public sealed record DriverOptions(string? BridgeName, int? Mtu, bool Icc, bool Masquerade)
{
    public const string BridgeNameKey = "com.docker.network.bridge.name";
    public const string MtuKey = "com.docker.network.driver.mtu";
    public const string IccKey = "com.docker.network.bridge.enable_icc";
    public const string MasqueradeKey = "com.docker.network.bridge.enable_ip_masquerade";
    public const string DefaultBridgeKey = "com.docker.network.bridge.default_bridge";
    public const string HostBindingKey = "com.docker.network.bridge.host_binding_ipv4";

    public static DriverOptions Parse(IReadOnlyDictionary<string, string>? options)
    {
        options ??= new Dictionary<string, string>();
        string? name = options.GetValueOrDefault(BridgeNameKey);
        if (name is not null && (name.Length is 0 or > 15 || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c))))
        {
            throw DaemonException.InvalidParameter(Messages.InvalidBridgeName(name));
        }
        int? mtu = null;
        if (options.TryGetValue(MtuKey, out var mtuText))
        {
            if (!int.TryParse(mtuText, NumberStyles.None, CultureInfo.InvariantCulture, out int m) || m < 68 || m > 65535)
            {
                throw DaemonException.InvalidParameter(Messages.InvalidDriverOption(MtuKey, mtuText, "must be an integer between 68 and 65535"));
            }
            mtu = m;
        }
        return new DriverOptions(name, mtu, Bool(options, IccKey), Bool(options, MasqueradeKey));
    }

    /// <summary>Go's strconv.ParseBool; absent means true (both options default on).</summary>
    private static bool Bool(IReadOnlyDictionary<string, string> options, string key)
    {
        if (!options.TryGetValue(key, out var text))
        {
            return true;
        }
        return text switch
        {
            "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
            "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
            _ => throw DaemonException.InvalidParameter(Messages.InvalidDriverOption(key, text, "invalid syntax")),
        };
    }
}

/// <summary>Endpoint MAC addresses as libnetwork derives them: 02:42 followed by the IPv4 address.</summary>
public static class MacAddresses
{
    public static byte[] FromIPv4(uint address) =>
        [0x02, 0x42, (byte)(address >> 24), (byte)(address >> 16), (byte)(address >> 8), (byte)address];

    /// <summary>Six hex octets separated by ':' or '-' (the forms Go's net.ParseMAC takes for 48-bit addresses); null otherwise.</summary>
    public static byte[]? Parse(string text)
    {
        var parts = text.Split(text.Contains('-', StringComparison.Ordinal) ? '-' : ':');
        if (parts.Length != 6)
        {
            return null;
        }
        var mac = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            if (parts[i].Length != 2 || !byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out mac[i]))
            {
                return null;
            }
        }
        return mac;
    }

    public static string Format(ReadOnlySpan<byte> mac) =>
        string.Join(':', mac.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
}
