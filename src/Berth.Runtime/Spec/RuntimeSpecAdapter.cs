using Berth.Runtime.Oci;

namespace Berth.Runtime.Spec;

/// <summary>
/// The differences between runtimes in what config.json they accept, applied to a freshly built
/// spec (pure: the result depends only on the spec and the traits). runc takes the spec as
/// built. crun (1.8 here):
/// - refuses an ociVersion newer than the runtime-spec version it declares ("unknown version
///   specified"), so the version is lowered to the declared one; no field berthd writes
///   depends on the version;
/// - writes pids.limit to pids.max as given, and the kernel refuses -1 (runc writes "max"
///   for it), so an unlimited pids limit is left out, which means the same.
/// </summary>
public static class RuntimeSpecAdapter
{
    /// <summary>Adapts <paramref name="spec"/> in place for <paramref name="traits"/> and returns it.</summary>
    public static OciSpec Adapt(OciSpec spec, RuntimeTraits traits)
    {
        if (!traits.IsCrun)
        {
            return spec;
        }
        if (traits.SpecVersion is { } declared && CompareVersions(spec.OciVersion, declared) > 0)
        {
            spec.OciVersion = declared;
        }
        if (spec.Linux?.Resources is { Pids: { Limit: <= 0 } } resources)
        {
            resources.Pids = null;
        }
        return spec;
    }

    /// <summary>Compares "major.minor.patch[-suffix]" numerically; a missing or odd part counts as 0.</summary>
    public static int CompareVersions(string a, string b)
    {
        int[] x = Parts(a);
        int[] y = Parts(b);
        for (int i = 0; i < 3; i++)
        {
            if (x[i] != y[i])
            {
                return x[i].CompareTo(y[i]);
            }
        }
        return 0;
    }

    private static int[] Parts(string version)
    {
        string core = version.Split('-', '+')[0];
        string[] pieces = core.Split('.');
        var parts = new int[3];
        for (int i = 0; i < 3 && i < pieces.Length; i++)
        {
            _ = int.TryParse(pieces[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out parts[i]);
        }
        return parts;
    }
}
