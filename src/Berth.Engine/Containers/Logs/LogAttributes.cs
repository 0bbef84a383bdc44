using System.Text;
using System.Text.RegularExpressions;

namespace Berth.Engine.Containers.Logs;

/// <summary>
/// The extra attributes json-file keeps with every line (moby logger.Info.ExtraAttributes and
/// the tag option), shown by `docker logs --details` as "k=v,k2=v2 " before each line. Pure.
/// </summary>
public static class LogAttributes
{
    public static IReadOnlyDictionary<string, string> Of(ContainerRecord record)
    {
        var extra = new SortedDictionary<string, string>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, string> config = record.HostConfig.LogConfig.Config ?? new Dictionary<string, string>();
        IReadOnlyDictionary<string, string> labels = record.Config.Labels;
        if (config.TryGetValue("labels", out string? names) && names.Length > 0)
        {
            foreach (string name in names.Split(','))
            {
                if (labels.TryGetValue(name, out string? value))
                {
                    extra[name] = value;
                }
            }
        }
        if (config.TryGetValue("labels-regex", out string? labelsRegex) && labelsRegex.Length > 0 && TryRegex(labelsRegex) is Regex lr)
        {
            foreach (var (key, value) in labels.Where(l => lr.IsMatch(l.Key)))
            {
                extra[key] = value;
            }
        }
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string e in record.Config.Env ?? [])
        {
            int eq = e.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                env[e[..eq]] = e[(eq + 1)..];
            }
        }
        if (config.TryGetValue("env", out string? envNames) && envNames.Length > 0)
        {
            foreach (string name in envNames.Split(','))
            {
                if (env.TryGetValue(name, out string? value))
                {
                    extra[name] = value;
                }
            }
        }
        if (config.TryGetValue("env-regex", out string? envRegex) && envRegex.Length > 0 && TryRegex(envRegex) is Regex er)
        {
            foreach (var (key, value) in env.Where(e => er.IsMatch(e.Key)))
            {
                extra[key] = value;
            }
        }
        if (config.TryGetValue("tag", out string? tag) && tag.Length > 0)
        {
            extra["tag"] = ExpandTag(tag, record);
        }
        return extra;
    }

    /// <summary>"k=v,k2=v2" with keys sorted and both sides query-escaped (Go's url.QueryEscape).</summary>
    public static string Format(ContainerRecord record) =>
        string.Join(',', Of(record).Select(kv => QueryEscape(kv.Key) + "=" + QueryEscape(kv.Value)));

    /// <summary>The tag template fields dockerd's loggerutils.ParseLogTag offers most often.</summary>
    public static string ExpandTag(string template, ContainerRecord record)
    {
        string imageId = record.ImageId.StartsWith("sha256:", StringComparison.Ordinal) ? record.ImageId[7..] : record.ImageId;
        return template
            .Replace("{{.ID}}", record.Id[..Math.Min(12, record.Id.Length)], StringComparison.Ordinal)
            .Replace("{{.FullID}}", record.Id, StringComparison.Ordinal)
            .Replace("{{.Name}}", record.Name, StringComparison.Ordinal)
            .Replace("{{.ImageID}}", imageId[..Math.Min(12, imageId.Length)], StringComparison.Ordinal)
            .Replace("{{.ImageFullID}}", imageId, StringComparison.Ordinal)
            .Replace("{{.ImageName}}", record.Config.Image, StringComparison.Ordinal)
            .Replace("{{.DaemonName}}", "docker", StringComparison.Ordinal);
    }

    public static string QueryEscape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(s))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                sb.Append((char)b);
            }
            else if (b == (byte)' ')
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    private static Regex? TryRegex(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
