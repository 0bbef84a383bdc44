namespace Berth.Engine.Images.Archive;

/// <summary>
/// Picks the manifest of a multi-platform index that this host runs (containerd's default
/// platform matcher, reduced to Linux): same architecture, and for arm a variant no newer than the
/// host's. An exact variant match beats a compatible one; otherwise the index order decides.
/// </summary>
public sealed class PlatformMatcher(string architecture, string? variant)
{
    public static PlatformMatcher Host { get; } = FromHost();

    public string Architecture { get; } = architecture;

    public string? Variant { get; } = variant ?? DefaultVariant(architecture);

    private static PlatformMatcher FromHost()
    {
        var (_, arch, variant) = ImageService.ParsePlatform(null);
        return new PlatformMatcher(arch, variant);
    }

    private static string? DefaultVariant(string architecture) => architecture switch
    {
        "arm64" => "v8",
        "arm" => "v7",
        _ => null,
    };

    /// <summary>Whether an image of <paramref name="platform"/> runs here (no platform: assumed to).</summary>
    public bool Matches(OciPlatform? platform)
    {
        if (platform is null)
        {
            return true;
        }
        if (!string.Equals(platform.Os, "linux", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var (arch, variant) = Normalize(platform.Architecture ?? "", platform.Variant);
        if (arch != Architecture)
        {
            return false;
        }
        if (arch == "arm" && variant is not null && Variant is not null)
        {
            // armv7 runs v5/v6/v7 binaries, not v8.
            return string.CompareOrdinal(variant, Variant) <= 0;
        }
        return true;
    }

    /// <summary>The best descriptor for this host among an index's manifests; null when none runs here.</summary>
    public OciDescriptor? Select(IEnumerable<OciDescriptor> manifests)
    {
        OciDescriptor? compatible = null;
        foreach (var descriptor in manifests)
        {
            if (descriptor.Platform is null || !Matches(descriptor.Platform))
            {
                // Entries without a platform in a multi-platform index are attestations and the like.
                continue;
            }
            var (_, variant) = Normalize(descriptor.Platform.Architecture ?? "", descriptor.Platform.Variant);
            if (variant == Variant || (variant is null && Variant == DefaultVariant(Architecture)))
            {
                return descriptor;
            }
            compatible ??= descriptor;
        }
        return compatible;
    }

    private static (string Arch, string? Variant) Normalize(string arch, string? variant)
    {
        arch = arch.ToLowerInvariant();
        variant = string.IsNullOrEmpty(variant) ? null : variant.ToLowerInvariant();
        return arch switch
        {
            "x86_64" or "x86-64" => ("amd64", variant),
            "aarch64" => ("arm64", variant is "8" ? "v8" : variant ?? "v8"),
            "arm64" => ("arm64", variant is "8" ? "v8" : variant ?? "v8"),
            "armhf" => ("arm", "v7"),
            "armel" => ("arm", "v6"),
            "i386" => ("386", variant),
            _ => (arch, variant),
        };
    }
}
