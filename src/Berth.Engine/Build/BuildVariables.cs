using Berth.Engine.Images;

namespace Berth.Engine.Build;

/// <summary>
/// Build arguments as the classic builder scopes them: --build-arg values apply only to names an
/// ARG declares (in the current stage, or before the first FROM for FROM lines), the proxy
/// variables are allowed without a declaration, ENV wins over ARG in expansion, and whatever was
/// never declared anywhere is reported as not consumed at the end.
/// </summary>
public sealed class BuildVariables(IReadOnlyDictionary<string, string?> buildArgs)
{
    private static readonly string[] Predefined =
        ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"];

    private readonly Dictionary<string, string?> _meta = new(StringComparer.Ordinal);
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);
    private Dictionary<string, string?> _stage = new(StringComparer.Ordinal);

    /// <summary>An ARG before the first FROM.</summary>
    public void DeclareMeta(string name, string? defaultValue)
    {
        _consumed.Add(name);
        _meta[name] = buildArgs.TryGetValue(name, out var given) && given is not null ? given : Expand(defaultValue, null);
    }

    /// <summary>FROM lines see only the meta args.</summary>
    public string ExpandForFrom(string word) => ShellWords.Process(word, name => _meta.GetValueOrDefault(name));

    public void BeginStage() => _stage = new Dictionary<string, string?>(StringComparer.Ordinal);

    /// <summary>An ARG in a stage: the build arg, else its default, else the meta arg's value.</summary>
    public void Declare(string name, string? defaultValue, RunConfig config)
    {
        _consumed.Add(name);
        string? value = buildArgs.TryGetValue(name, out var given) && given is not null
            ? given
            : defaultValue is not null ? Expand(defaultValue, config) : _meta.GetValueOrDefault(name);
        _stage[name] = value;
    }

    /// <summary>The ARG values in effect (declared and set, plus given proxy variables), sorted.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> InEffect(RunConfig config)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in _stage)
        {
            if (value is not null && config.GetEnv(name) is null)
            {
                result[name] = value;
            }
        }
        foreach (var name in Predefined)
        {
            if (buildArgs.TryGetValue(name, out var value) && value is not null && config.GetEnv(name) is null)
            {
                _consumed.Add(name);
                result.TryAdd(name, value);
            }
        }
        return [.. result];
    }

    /// <summary>Expands one raw word (quotes and escapes removed) with ENV first, then ARG.</summary>
    public string Expand(string? word, RunConfig? config)
    {
        if (word is null)
        {
            return "";
        }
        return ShellWords.Process(word, name => config?.GetEnv(name) ?? Arg(name));
    }

    /// <summary>The value of an ARG declared in the current stage, or null.</summary>
    public string? Arg(string name) => _stage.GetValueOrDefault(name);

    /// <summary>dockerd's warning text for --build-arg names no ARG declared, or null.</summary>
    public string? UnconsumedWarning()
    {
        var unused = buildArgs.Keys.Where(k => !_consumed.Contains(k) && Array.IndexOf(Predefined, k) < 0).Order(StringComparer.Ordinal).ToList();
        return unused.Count == 0 ? null : $"[Warning] One or more build-args [{string.Join(' ', unused)}] were not consumed\n";
    }
}
