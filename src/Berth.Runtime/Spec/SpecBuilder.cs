namespace Berth.Runtime.Spec;

/// <summary>One step of spec construction: reads the input, edits the spec, does no I/O.</summary>
public delegate void SpecMutator(OciSpec spec, SpecInput input);

/// <summary>
/// Builds config.json for a container: dockerd's DefaultLinuxSpec, then the same sequence of
/// small mutators as dockerd's createSpec. Order matters where a step reads what an earlier
/// one wrote (seccomp reads the final capabilities, sysctl checks read the namespaces).
/// </summary>
public static class SpecBuilder
{
    public static readonly IReadOnlyList<SpecMutator> Mutators =
    [
        ProcessMutators.WithRoot,
        ProcessMutators.WithProcess,
        ProcessMutators.WithHostname,
        LinuxMutators.WithCgroupsPath,
        LinuxMutators.WithResources,
        ProcessMutators.WithUser,
        LinuxMutators.WithDevices,
        ProcessMutators.WithRlimits,
        LinuxMutators.WithNamespaces,
        LinuxMutators.WithSysctls,
        SecurityMutators.WithCapabilities,
        SecurityMutators.WithSeccomp,
        MountMutators.WithMounts,
        MountMutators.WithInit,
        SecurityMutators.WithPrivilegedPaths,
        ProcessMutators.WithOomScore,
        ProcessMutators.WithNoNewPrivileges,
        ProcessMutators.WithAnnotations,
    ];

    /// <exception cref="Berth.Engine.Errors.DaemonException">Invalid input (InvalidParameter, with dockerd's texts).</exception>
    public static OciSpec Build(SpecInput input) => Apply(DefaultSpec.Create(), input, Mutators);

    public static OciSpec Apply(OciSpec spec, SpecInput input, IEnumerable<SpecMutator> mutators)
    {
        foreach (SpecMutator mutate in mutators)
        {
            mutate(spec, input);
        }
        return spec;
    }

    internal static OciProcess Process(this OciSpec spec) => spec.Process ??= new OciProcess();

    internal static OciLinux Linux(this OciSpec spec) => spec.Linux ??= new OciLinux();

    internal static OciResources Resources(this OciSpec spec) => spec.Linux().Resources ??= new OciResources();
}
