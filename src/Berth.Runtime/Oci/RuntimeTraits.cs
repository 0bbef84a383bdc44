namespace Berth.Runtime.Oci;

/// <summary>
/// What berthd needs to know about a runtime binary beyond its CLI, read once from its
/// `--version` output: which implementation it is and the runtime-spec version it declares.
/// runc and crun share the CLI; the differences are in what config.json they accept and in
/// how they treat the host's cgroups (see <see cref="Spec.RuntimeSpecAdapter"/>, <see cref="RuntimeLauncher"/>).
/// </summary>
public sealed record RuntimeTraits(string Implementation, string? SpecVersion)
{
    public static readonly RuntimeTraits Runc = new("runc", null);

    public bool IsCrun => Implementation == "crun";

    /// <summary>
    /// "crun version 1.8.1\n…\nspec: 1.0.0\n…" or "runc version 1.1.5\n…\nspec: 1.0.2-dev\n…":
    /// the first word names the implementation, the "spec:" line the runtime-spec version.
    /// </summary>
    public static RuntimeTraits FromVersionOutput(string output)
    {
        string implementation = "";
        string? spec = null;
        foreach (string raw in output.Split('\n'))
        {
            string line = raw.Trim();
            if (implementation.Length == 0 && line.Length > 0)
            {
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                implementation = (space < 0 ? line : line[..space]).ToLowerInvariant();
            }
            if (line.StartsWith("spec:", StringComparison.Ordinal))
            {
                spec = line["spec:".Length..].Trim();
            }
        }
        return new RuntimeTraits(implementation, string.IsNullOrEmpty(spec) ? null : spec);
    }
}
