using System.Text.Json;
using Berth.IntegrationTests.Harness;

namespace Berth.IntegrationTests.Networking;

/// <summary>Looks at host state with iproute2 and iptables-save, independently of berthd's own code.</summary>
internal static class HostNet
{
    /// <summary>`ip -j addr show dev NAME` → "a.b.c.d/n" IPv4 addresses, or null when the link does not exist.</summary>
    public static async Task<IReadOnlyList<string>?> Ipv4AddressesAsync(string device, string? netns = null)
    {
        string[] args = netns is null ? ["-j", "addr", "show", "dev", device] : ["-n", netns, "-j", "addr", "show", "dev", device];
        var result = await ProcessRunner.RunAsync("ip", args);
        if (!result.Succeeded)
        {
            return null;
        }
        using var doc = JsonDocument.Parse(result.Stdout);
        return doc.RootElement.EnumerateArray()
            .SelectMany(l => l.GetProperty("addr_info").EnumerateArray())
            .Where(a => a.GetProperty("family").GetString() == "inet")
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}")
            .ToList();
    }

    /// <summary>`ip -j -d link show NAME` as a JSON element clone, or null when absent.</summary>
    public static async Task<JsonElement?> LinkAsync(string device, string? netns = null)
    {
        string[] args = netns is null ? ["-j", "-d", "link", "show", device] : ["-n", netns, "-j", "-d", "link", "show", device];
        var result = await ProcessRunner.RunAsync("ip", args);
        if (!result.Succeeded)
        {
            return null;
        }
        using var doc = JsonDocument.Parse(result.Stdout);
        return doc.RootElement.EnumerateArray().FirstOrDefault().Clone();
    }

    public static async Task<string> IptablesSaveAsync()
    {
        var filter = (await ProcessRunner.RunAsync("iptables-save", ["-t", "filter"])).EnsureSuccess().Stdout;
        var nat = (await ProcessRunner.RunAsync("iptables-save", ["-t", "nat"])).EnsureSuccess().Stdout;
        return filter + nat;
    }
}
