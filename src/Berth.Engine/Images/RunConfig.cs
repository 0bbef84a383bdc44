namespace Berth.Engine.Images;

/// <summary>
/// A mutable run configuration that import's <c>changes</c> are applied to before it is written
/// into a new image config (<see cref="ImageConfigWriter"/>).
/// </summary>
public sealed class RunConfig
{
    public string User { get; set; } = "";
    public List<string>? Env { get; set; }
    public List<string>? Cmd { get; set; }
    public List<string>? Entrypoint { get; set; }
    public string WorkingDir { get; set; } = "";
    public SortedDictionary<string, string>? Labels { get; set; }
    public SortedSet<string>? ExposedPorts { get; set; }
    public SortedSet<string>? Volumes { get; set; }
    public string? StopSignal { get; set; }
    public List<string>? OnBuild { get; set; }
    public List<string>? Shell { get; set; }
    public HealthConfig? Healthcheck { get; set; }

    /// <summary>Sets or replaces one NAME=value entry, keeping the position of a replaced one.</summary>
    public void SetEnv(string name, string value)
    {
        Env ??= [];
        string entry = name + "=" + value;
        for (int i = 0; i < Env.Count; i++)
        {
            int eq = Env[i].IndexOf('=', StringComparison.Ordinal);
            string existing = eq < 0 ? Env[i] : Env[i][..eq];
            if (string.Equals(existing, name, StringComparison.Ordinal))
            {
                Env[i] = entry;
                return;
            }
        }
        Env.Add(entry);
    }

    /// <summary>The value of an environment variable, for $VAR expansion in later changes.</summary>
    public string? GetEnv(string name)
    {
        if (Env is null)
        {
            return null;
        }
        foreach (var entry in Env)
        {
            if (entry.Length > name.Length && entry[name.Length] == '=' && entry.StartsWith(name, StringComparison.Ordinal))
            {
                return entry[(name.Length + 1)..];
            }
        }
        return null;
    }
}
