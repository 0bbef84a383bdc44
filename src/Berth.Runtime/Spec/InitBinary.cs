namespace Berth.Runtime.Spec;

/// <summary>
/// Where docker-init (tini) is, for --init: dockerd's lookupBinPath — its libexec and lib
/// directories first (FHS), then, for a docker- name, the bare libexec dirs, then PATH.
/// Debian's docker.io ships /usr/bin/docker-init, which only the PATH step finds.
/// </summary>
public static class InitBinary
{
    public const string Name = "docker-init";

    /// <summary>The places looked at, in order (pure).</summary>
    public static IEnumerable<string> Candidates(string? pathVariable)
    {
        string[] dirs = ["/usr/local/libexec/docker", "/usr/libexec/docker", "/usr/local/lib/docker", "/usr/lib/docker", "/usr/local/libexec", "/usr/libexec"];
        foreach (string dir in dirs.Concat((pathVariable ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Where(Path.IsPathFullyQualified)))
        {
            yield return Path.Combine(dir, Name);
        }
    }

    /// <summary>The first candidate that exists, else dockerd's default location (the start then fails naming it).</summary>
    public static string Find() =>
        Candidates(Environment.GetEnvironmentVariable("PATH")).FirstOrDefault(File.Exists) ?? "/usr/libexec/docker/docker-init";
}
