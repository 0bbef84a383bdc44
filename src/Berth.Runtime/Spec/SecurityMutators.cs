using Berth.Engine.Errors;
using Berth.Runtime.Security;

namespace Berth.Runtime.Spec;

/// <summary>Capabilities, seccomp, and the masked/read-only path lists.</summary>
public static class SecurityMutators
{
    /// <summary>CapAdd/CapDrop/Privileged over the defaults, clamped to the daemon's bounding set.</summary>
    public static void WithCapabilities(OciSpec spec, SpecInput input)
    {
        IReadOnlyCollection<string> available = input.Daemon.CapabilityBoundingSet ?? Capabilities.AllKnown;
        HostConfigInput h = input.HostConfig;
        List<string> caps = Capabilities.Tweak(Capabilities.Default, h.CapAdd, h.CapDrop, h.Privileged, available);
        spec.Process().Capabilities = new OciCapabilities
        {
            Bounding = [.. caps],
            Effective = [.. caps],
            Permitted = [.. caps],
        };
    }

    /// <summary>
    /// dockerd's WithSeccomp: "unconfined" → none; privileged → none unless a custom profile was
    /// given; "builtin"/unset → Berth's default; anything else is a profile's JSON text.
    /// </summary>
    public static void WithSeccomp(OciSpec spec, SpecInput input)
    {
        string? profile = SecurityOptions.Parse(input.HostConfig.SecurityOpt, input.Daemon.NoNewPrivileges).SeccompProfile;
        if (profile == SecurityOptions.SeccompUnconfined)
        {
            return;
        }
        bool custom = !string.IsNullOrEmpty(profile) && profile != SecurityOptions.SeccompBuiltin;
        if (input.HostConfig.Privileged && !custom)
        {
            return;
        }
        if (!input.Daemon.SeccompSupported)
        {
            if (custom)
            {
                throw DaemonException.InvalidParameter(
                    "seccomp is not enabled in your kernel, cannot run a custom seccomp profile");
            }
            return;
        }
        SeccompProfile source = custom ? SeccompConverter.Parse(profile!) : DefaultSeccompProfile.Create();
        OciSeccomp? seccomp = SeccompConverter.Convert(
            source,
            spec.Process().Capabilities?.Bounding ?? [],
            input.Daemon.Architecture,
            input.Daemon.KernelVersion);
        if (!custom && seccomp is { Architectures: { } arches } && input.Daemon.UnusableSeccompArchitectures.Count > 0)
        {
            // A user's profile is applied as written; only the built-in one is trimmed.
            seccomp.Architectures = [.. arches.Where(a => !input.Daemon.UnusableSeccompArchitectures.Contains(a))];
        }
        spec.Linux().Seccomp = seccomp;
    }

    /// <summary>Host-specific masked paths are added; privileged containers see everything.</summary>
    public static void WithPrivilegedPaths(OciSpec spec, SpecInput input)
    {
        OciLinux linux = spec.Linux();
        if (input.HostConfig.Privileged)
        {
            linux.MaskedPaths = null;
            linux.ReadonlyPaths = null;
            return;
        }
        if (input.Daemon.ExtraMaskedPaths.Count > 0)
        {
            linux.MaskedPaths = [.. linux.MaskedPaths ?? [], .. input.Daemon.ExtraMaskedPaths];
        }
    }
}
