namespace Berth.Engine.Errors;

/// <summary>Resource limit texts: moby daemon/daemon_unix.go verifyPlatformContainerResources and container.UpdateContainer.</summary>
public static partial class Messages
{
    public const string MinimumMemory = "Minimum memory limit allowed is 6MB";
    public const string MinimumMemoryReservation = "Minimum memory reservation allowed is 6MB";
    public const string MemorySwapBelowMemory = "Minimum memoryswap limit should be larger than memory limit, see usage";
    public const string MemorySwapWithoutMemory = "You should always set the Memory limit when using Memoryswap limit, see usage";
    public const string MemoryBelowReservation = "Minimum memory limit can not be less than memory reservation limit, see usage";

    public static string InvalidSwappiness(long value) => $"Invalid value: {value}, valid memory swappiness range is 0-100";

    public const string NanoCpusAndPeriod = "Conflicting options: Nano CPUs and CPU Period cannot both be set";
    public const string NanoCpusAndQuota = "Conflicting options: Nano CPUs and CPU Quota cannot both be set";
    public const string NanoCpusWithoutCfs =
        "NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or the cgroup is not mounted";

    public static string CpusRange(int count) =>
        $"range of CPUs is from 0.01 to {count}.00, as there are only {count} CPUs available";

    public const string CpuPeriodRange = "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)";
    public const string CpuQuotaMinimum = "CPU cfs quota can not be less than 1ms (i.e. 1000)";

    public static string InvalidCpusetCpus(string value, string detail) => $"Invalid value {value} for cpuset cpus: {detail}";

    public static string InvalidCpusetMems(string value, string detail) => $"Invalid value {value} for cpuset mems: {detail}";

    public static string CpusUnavailable(string requested, string available) =>
        $"Requested CPUs are not available - requested {requested}, available: {available}";

    public static string MemsUnavailable(string requested, string available) =>
        $"Requested memory nodes are not available - requested {requested}, available: {available}";

    public static string ListInvalidFormat(string value) => $"invalid format: {value}";

    public static string ListOutOfRange(int maximum) => $"value of out range, maximum is {maximum}";

    public const string BlkioWeightRange = "Range of blkio weight is from 10 to 1000";

    public static string InvalidOomScoreAdj(int value) => $"Invalid value {value}, range for oom score adj is [-1000, 1000]";

    // Warnings (create/update response Warnings), the resource is discarded.
    public const string WarnMemoryLimit = "Your kernel does not support memory limit capabilities or the cgroup is not mounted. Limitation discarded.";
    public const string WarnSwapLimit = "Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.";
    public const string WarnSwappiness = "Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.";
    public const string WarnMemoryReservation = "Your kernel does not support memory soft limit capabilities or the cgroup is not mounted. Limitation discarded.";
    public const string WarnOomKillDisable = "Your kernel does not support OomKillDisable. OomKillDisable discarded.";
    public const string WarnOomKillDisableNoLimit =
        "OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.";
    public const string WarnPidsLimit = "Your kernel does not support PIDs limit capabilities or the cgroup is not mounted. PIDs limit discarded.";
    public const string WarnCpuShares = "Your kernel does not support CPU shares or the cgroup is not mounted. Shares discarded.";
    public const string WarnCpuCfs = "Your kernel does not support CPU CFS scheduler. CPU period/quota discarded.";
    public const string WarnCpuset = "Your kernel does not support cpuset or the cgroup is not mounted. Cpuset discarded.";
    public const string WarnBlkioWeight = "Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.";
    public const string WarnBlkioWeightDevice = "Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.";
    public const string WarnReadBps = "Your kernel does not support BPS Block I/O read limit or the cgroup is not mounted. Block I/O BPS read limit discarded.";
    public const string WarnWriteBps = "Your kernel does not support BPS Block I/O write limit or the cgroup is not mounted. Block I/O BPS write limit discarded.";
    public const string WarnReadIOps = "Your kernel does not support IOPS Block read limit or the cgroup is not mounted. Block I/O IOPS read limit discarded.";
    public const string WarnWriteIOps = "Your kernel does not support IOPS Block write limit or the cgroup is not mounted. Block I/O IOPS write limit discarded.";

    // Update conflicts (409), wrapped as "Cannot update container <id>: ...".
    public const string UpdateNanoCpusAfterPeriod = "Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set";
    public const string UpdateNanoCpusAfterQuota = "Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set";
    public const string UpdatePeriodAfterNanoCpus = "Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set";
    public const string UpdateQuotaAfterNanoCpus = "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set";
    public const string UpdateMemoryAboveSwap =
        "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time";
    public const string UpdateRestartPolicyAutoRemove = "Restart policy cannot be updated because AutoRemove is enabled for the container";

    public static string CannotUpdate(string id, string detail) => $"Cannot update container {id}: {detail}";

    public static string CannotUpdateRemoving(string id) => CannotUpdate(id, "container is marked for removal and cannot be \"update\"");

    public static string ContainerAlreadyPaused(string id) => $"Container {id} is already paused";

    public static string ContainerNotPaused(string id) => $"Container {id} is not paused";

    public static string CannotPause(string id, string detail) => $"cannot pause container {id}: {detail}";

    public static string CannotUnpause(string id, string detail) => $"Cannot unpause container {id}: {detail}";

    public static string PsArgNotAllowed(string key, string value) => $"specifying \"{key}={value}\" is not allowed";

    public const string PsNoPidColumn = "Couldn't find PID field in ps output";

    public static string PsUnexpectedPid(string value) => $"Unexpected pid '{value}': strconv.Atoi: parsing \"{value}\": invalid syntax";

    public static string ExportDead(string id) => $"You cannot export container {id} which is Dead";

    public static string ExportRemoving(string id) => $"You cannot export container {id} which is being removed";

    public static string ExportFailed(string name, string detail) => $"Error exporting container {name}: {detail}";

    public const string StatsStreamAndOneShot = "cannot have stream=true and one-shot=true";

    public static string BlkioDeviceStat(string path, string detail) => $"stat {path}: {detail}";
}

/// <summary>Health-check texts (moby daemon/container.go validateHealthCheck, daemon/health.go).</summary>
public static partial class Messages
{
    public static string HealthDurationTooShort(string field) => $"{field} in Healthcheck cannot be less than 1ms";

    public const string HealthRetriesNegative = "Retries in Healthcheck cannot be negative";

    /// <summary>moby v25 daemon/list.go (the API 1.44 daemon).</summary>
    public static string InvalidHealthFilter(string value) => $"unrecognized filter value for health: {value}";

    public static string HealthcheckNoCommand(string id) => $"healthcheck for container {id} has no command";
}
