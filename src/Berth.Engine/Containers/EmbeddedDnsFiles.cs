using System.Text;

namespace Berth.Engine.Containers;

/// <summary>
/// resolv.conf for containers served by the embedded DNS server (user-defined networks), as
/// dockerd writes it: "nameserver 127.0.0.11" and "options ndots:0", the host's (or the
/// container's) search domains and options kept; the real servers stay in the daemon, listed in
/// a comment for whoever debugs it.
/// </summary>
public static class EmbeddedDnsFiles
{
    public const string ResolverAddress = "127.0.0.11";

    /// <summary>
    /// Network modes whose containers get the embedded resolver: user-defined networks only.
    /// The default bridge, host, none and container: keep dockerd's copied resolv.conf.
    /// </summary>
    public static bool UsesEmbeddedDns(string networkMode) =>
        networkMode is not ("" or "default" or "bridge" or "host" or "none") &&
        !networkMode.StartsWith("container:", StringComparison.Ordinal);

    /// <summary>
    /// As libnetwork starts the resolver for any endpoint on a user-defined network: a container in
    /// the default mode whose create request also names a user network (Testcontainers and other
    /// API clients send EndpointsConfig without a NetworkMode) resolves names too.
    /// </summary>
    public static bool UsesEmbeddedDns(string networkMode, IEnumerable<string> networks) =>
        UsesEmbeddedDns(networkMode) ||
        (networkMode is "" or "default" or "bridge" && networks.Any(UsesEmbeddedDns));

    public static string ResolvConfText(string hostText, IReadOnlyList<string> dnsSearch, IReadOnlyList<string> dnsOptions, IReadOnlyList<string> externalServers)
    {
        string? search = null;
        var options = new List<string>();
        foreach (string raw in hostText.Split('\n'))
        {
            string[] fields = raw.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0].StartsWith('#') || fields[0].StartsWith(';'))
            {
                continue;
            }
            if (fields[0] is "search" or "domain")
            {
                search = string.Join(' ', fields.Skip(1));
            }
            else if (fields[0] == "options")
            {
                options = [.. fields.Skip(1)];
            }
        }
        if (dnsSearch.Count > 0)
        {
            search = string.Join(' ', dnsSearch);
        }
        if (dnsOptions.Count > 0)
        {
            options = [.. dnsOptions];
        }
        if (!options.Any(o => o.StartsWith("ndots:", StringComparison.Ordinal)))
        {
            options.Add("ndots:0");
        }
        var text = new StringBuilder();
        text.Append("nameserver ").Append(ResolverAddress).Append('\n');
        if (!string.IsNullOrEmpty(search) && search != ".")
        {
            text.Append("search ").Append(search).Append('\n');
        }
        text.Append("options ").Append(string.Join(' ', options)).Append('\n');
        text.Append("\n# ExtServers: [").Append(string.Join(' ', externalServers)).Append("]\n");
        return text.ToString();
    }

    /// <summary>True when the user asked for ndots explicitly (then bare-name misses are not forwarded, as in dockerd).</summary>
    public static bool NdotsSet(IReadOnlyList<string> dnsOptions) =>
        dnsOptions.Any(o => o.StartsWith("ndots:", StringComparison.Ordinal));
}
