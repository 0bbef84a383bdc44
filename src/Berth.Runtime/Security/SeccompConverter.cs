using System.Text.Json;
using Berth.Engine.Errors;
using Berth.Runtime.Spec;

namespace Berth.Runtime.Security;

/// <summary>
/// Turns a Docker-format profile into the OCI seccomp section for one container, as
/// moby/profiles setupSeccomp does: archMap picks the host's entry, includes/excludes are
/// evaluated against the container's bounding set, architecture and kernel.
/// </summary>
public static class SeccompConverter
{
    /// <summary>GOARCH → libseccomp architecture, for archMap selection.</summary>
    private static readonly Dictionary<string, string> ArchByGoArch = new(StringComparer.Ordinal)
    {
        ["amd64"] = "SCMP_ARCH_X86_64",
        ["386"] = "SCMP_ARCH_X86",
        ["arm64"] = "SCMP_ARCH_AARCH64",
        ["arm"] = "SCMP_ARCH_ARM",
        ["riscv64"] = "SCMP_ARCH_RISCV64",
        ["s390x"] = "SCMP_ARCH_S390X",
        ["ppc64le"] = "SCMP_ARCH_PPC64LE",
        ["loong64"] = "SCMP_ARCH_LOONGARCH64",
    };

    /// <summary>GOARCH → the "native" name profiles use in includes/excludes arches.</summary>
    private static string NativeArch(string goArch) => goArch switch
    {
        "386" => "x86",
        "loong64" => "loongarch64",
        _ => goArch,
    };

    public static SeccompProfile Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, SeccompProfileJsonContext.Default.SeccompProfile)
                ?? throw new JsonException("profile is null");
        }
        catch (JsonException e)
        {
            throw DaemonException.InvalidParameter(Messages.SeccompDecodeFailed(e.Message));
        }
    }

    /// <returns>null when the profile has neither a default action nor rules (no filter).</returns>
    public static OciSeccomp? Convert(
        SeccompProfile profile,
        IReadOnlyCollection<string> boundingCaps,
        string goArch,
        string kernelVersion)
    {
        if (profile.DefaultAction.Length == 0 && (profile.Syscalls is null || profile.Syscalls.Count == 0))
        {
            return null;
        }
        if (profile.Architectures is { Count: > 0 } && profile.ArchMap is { Count: > 0 })
        {
            throw DaemonException.InvalidParameter(Messages.SeccompArchAndArchMap);
        }
        var result = new OciSeccomp
        {
            DefaultAction = profile.DefaultAction,
            DefaultErrnoRet = profile.DefaultErrnoRet,
            Flags = profile.Flags is { Count: > 0 } ? [.. profile.Flags] : null,
            Architectures = profile.Architectures is { Count: > 0 } ? [.. profile.Architectures] : null,
        };
        if (profile.ArchMap is not null && ArchByGoArch.TryGetValue(goArch, out string? native))
        {
            SeccompArchMap? entry = profile.ArchMap.FirstOrDefault(a => a.Architecture == native);
            if (entry is not null)
            {
                result.Architectures = [entry.Architecture, .. entry.SubArchitectures ?? []];
            }
        }

        string arch = NativeArch(goArch);
        foreach (SeccompRule rule in profile.Syscalls ?? [])
        {
            List<string> names;
            if (!string.IsNullOrEmpty(rule.Name))
            {
                if (rule.Names is { Count: > 0 })
                {
                    throw DaemonException.InvalidParameter(Messages.SeccompNameAndNames);
                }
                names = [rule.Name];
            }
            else
            {
                names = [.. rule.Names ?? []];
            }
            if (Excluded(rule.Excludes, boundingCaps, arch, kernelVersion)
                || !Included(rule.Includes, boundingCaps, arch, kernelVersion))
            {
                continue;
            }
            result.Syscalls.Add(new OciSyscall
            {
                Names = names,
                Action = rule.Action,
                ErrnoRet = rule.ErrnoRet,
                Args = rule.Args is { Count: > 0 } ? [.. rule.Args] : null,
            });
        }
        return result;
    }

    private static bool Excluded(SeccompFilter? f, IReadOnlyCollection<string> caps, string arch, string kernel)
    {
        if (f is null)
        {
            return false;
        }
        return (f.Arches?.Contains(arch) ?? false)
            || (f.Caps?.Any(caps.Contains) ?? false)
            || (f.MinKernel is not null && KernelAtLeast(kernel, f.MinKernel));
    }

    private static bool Included(SeccompFilter? f, IReadOnlyCollection<string> caps, string arch, string kernel)
    {
        if (f is null)
        {
            return true;
        }
        return (f.Arches is not { Count: > 0 } || f.Arches.Contains(arch))
            && (f.Caps?.All(caps.Contains) ?? true)
            && (f.MinKernel is null || KernelAtLeast(kernel, f.MinKernel));
    }

    /// <summary>
    /// Compares "major.minor" prefixes of kernel releases ("6.1.0-18-amd64" ≥ "4.8").
    /// An unknown running kernel counts as new enough: Berth targets current kernels.
    /// </summary>
    public static bool KernelAtLeast(string running, string minimum)
    {
        (int Major, int Minor)? r = ParseKernel(running);
        (int Major, int Minor)? m = ParseKernel(minimum)
            ?? throw DaemonException.InvalidParameter(Messages.SeccompDecodeFailed($"invalid kernel version: {minimum}"));
        if (r is null)
        {
            return true;
        }
        return r.Value.Major != m.Value.Major ? r.Value.Major > m.Value.Major : r.Value.Minor >= m.Value.Minor;
    }

    private static (int Major, int Minor)? ParseKernel(string text)
    {
        string[] parts = text.Split('.', 3);
        if (parts.Length < 2 || !int.TryParse(parts[0], out int major))
        {
            return null;
        }
        string minorDigits = new(parts[1].TakeWhile(char.IsAsciiDigit).ToArray());
        return int.TryParse(minorDigits, out int minor) ? (major, minor) : null;
    }
}
