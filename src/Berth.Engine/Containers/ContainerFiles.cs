using System.Text;

namespace Berth.Engine.Containers;

/// <summary>
/// The per-container files dockerd bind-mounts into every container: hostname, hosts and
/// resolv.conf (moby libnetwork etchosts and resolvconf). Pure text builders plus one writer.
/// </summary>
public static class ContainerFiles
{
    /// <summary>dockerd's fallback when the host only lists local resolvers (libnetwork resolvconf defaults).</summary>
    public static readonly IReadOnlyList<string> DefaultNameservers = ["8.8.8.8", "8.8.4.4"];

    public static string HostsText(string hostname, string domainname) => HostsText(hostname, domainname, []);

    /// <summary>
    /// libnetwork etchosts: the localhost block, then the hostname on each of the container's
    /// addresses. A container without addresses (none, created, host-less) maps its hostname to
    /// 127.0.1.1 so `ping $(hostname)` still works.
    /// </summary>
    public static string HostsText(string hostname, string domainname, IReadOnlyList<string> addresses)
    {
        var text = new StringBuilder()
            .Append("127.0.0.1\tlocalhost\n")
            .Append("::1\tlocalhost ip6-localhost ip6-loopback\n")
            .Append("fe00::0\tip6-localnet\n")
            .Append("ff00::0\tip6-mcastprefix\n")
            .Append("ff02::1\tip6-allnodes\n")
            .Append("ff02::2\tip6-allrouters\n");
        string names = domainname.Length > 0 ? $"{hostname}.{domainname} {hostname}" : hostname;
        foreach (string address in addresses.Count > 0 ? addresses : ["127.0.1.1"])
        {
            text.Append(address).Append('\t').Append(names).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The addresses of a container's active endpoints, eth0 first.</summary>
    public static IReadOnlyList<string> Addresses(ContainerRecord record) =>
        [.. (record.NetworkSettings.Networks ?? new Dictionary<string, Networks.EndpointSettings>()).Values
            .Where(e => e.IsActive && e.IPAddress.Length > 0)
            .OrderBy(e => e.InterfaceName.Length).ThenBy(e => e.InterfaceName, StringComparer.Ordinal)
            .Select(e => e.IPAddress)];

    /// <summary>
    /// Rewrites /etc/hosts for the current addresses. In place, not temp+rename: the file is
    /// bind-mounted into the running container, which keeps seeing the inode it was given.
    /// </summary>
    public static void WriteHosts(ContainerRecord record) =>
        File.WriteAllText(record.HostsPath, HostsText(record.Config.Hostname, record.Config.Domainname, Addresses(record)));

    /// <summary>
    /// The host's resolv.conf without localhost nameservers (unreachable from a container's own
    /// netns); when none remain, Google's public resolvers, as dockerd does. Options and search
    /// lines are kept; <paramref name="dns"/>/<paramref name="dnsSearch"/>/<paramref name="dnsOptions"/> override.
    /// </summary>
    public static string ResolvConfText(string hostText, IReadOnlyList<string> dns, IReadOnlyList<string> dnsSearch, IReadOnlyList<string> dnsOptions)
    {
        var nameservers = new List<string>();
        var others = new List<string>();
        string? search = null;
        string? options = null;
        foreach (string raw in hostText.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }
            string[] fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            switch (fields[0])
            {
                case "nameserver" when fields.Length > 1:
                    if (!IsLocalhost(fields[1]))
                    {
                        nameservers.Add(fields[1]);
                    }
                    break;
                case "search" or "domain":
                    search = string.Join(' ', fields.Skip(1));
                    break;
                case "options":
                    options = string.Join(' ', fields.Skip(1));
                    break;
                default:
                    others.Add(line);
                    break;
            }
        }
        if (dns.Count > 0)
        {
            nameservers = [.. dns];
        }
        else if (nameservers.Count == 0)
        {
            nameservers = [.. DefaultNameservers];
        }
        if (dnsSearch.Count > 0)
        {
            search = string.Join(' ', dnsSearch);
        }
        if (dnsOptions.Count > 0)
        {
            options = string.Join(' ', dnsOptions);
        }
        var text = new StringBuilder();
        foreach (string ns in nameservers)
        {
            text.Append("nameserver ").Append(ns).Append('\n');
        }
        if (!string.IsNullOrEmpty(search) && search != ".")
        {
            text.Append("search ").Append(search).Append('\n');
        }
        if (!string.IsNullOrEmpty(options))
        {
            text.Append("options ").Append(options).Append('\n');
        }
        foreach (string line in others)
        {
            text.Append(line).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>127.0.0.0/8 and ::1 (with or without a zone), like libnetwork's IsLocalhost.</summary>
    public static bool IsLocalhost(string address) =>
        address.StartsWith("127.", StringComparison.Ordinal) || address == "::1" || address.StartsWith("::1%", StringComparison.Ordinal);

    /// <summary>
    /// The host file to copy: systemd-resolved's stub (127.0.0.53) is useless inside a container,
    /// so dockerd reads the upstream list resolved keeps in /run/systemd/resolve/resolv.conf.
    /// </summary>
    public static string ReadHostResolvConf(string path)
    {
        string text = File.Exists(path) ? File.ReadAllText(path) : "";
        const string Upstream = "/run/systemd/resolve/resolv.conf";
        if (text.Contains("nameserver 127.0.0.53", StringComparison.Ordinal) && File.Exists(Upstream))
        {
            return File.ReadAllText(Upstream);
        }
        return text;
    }

    /// <summary>Creates &lt;data-root&gt;/containers/&lt;id&gt;/ with hostname, hosts and resolv.conf.</summary>
    public static void Write(ContainerRecord record, string hostResolvConf, IReadOnlyList<string>? daemonDns = null)
    {
        Directory.CreateDirectory(record.ContainerDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(record.HostnamePath, record.Config.Hostname + "\n");
        File.WriteAllText(record.HostsPath, HostsText(record.Config.Hostname, record.Config.Domainname));
        var h = record.HostConfig;
        IReadOnlyList<string> dns = h.Dns.Count > 0 ? h.Dns : daemonDns ?? [];
        string host = ReadHostResolvConf(hostResolvConf);
        File.WriteAllText(record.ResolvConfPath, EmbeddedDnsFiles.UsesEmbeddedDns(h.NetworkMode, record.NetworkSettings.Networks?.Keys ?? Enumerable.Empty<string>())
            ? EmbeddedDnsFiles.ResolvConfText(host, h.DnsSearch, h.DnsOptions, dns.Count > 0 ? dns : ResolvNameservers(host))
            : ResolvConfText(host, dns, h.DnsSearch, h.DnsOptions));
    }

    private static List<string> ResolvNameservers(string text) =>
        [.. text.Split('\n').Select(l => l.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 1 && f[0] == "nameserver").Select(f => f[1])];
}
