using Berth.Engine.Containers;
using Berth.Engine.Images;

namespace Berth.Api.Models;

/// <summary>
/// Wire ↔ engine for containers. Request normalisation happens here, at the edge (dockerd's
/// defaults for absent fields, newer request shapes); inspect echoes the stored settings.
/// </summary>
public static class ContainerWireMapping
{
    private const string ZeroTime = "0001-01-01T00:00:00Z";

    public static CreateRequest ToEngine(ContainerCreateWire wire, string? name, string? platform)
    {
        var config = new ContainerSettings
        {
            Hostname = wire.Hostname ?? "",
            Domainname = wire.Domainname ?? "",
            User = wire.User ?? "",
            AttachStdin = wire.AttachStdin ?? false,
            AttachStdout = wire.AttachStdout ?? false,
            AttachStderr = wire.AttachStderr ?? false,
            ExposedPorts = wire.ExposedPorts?.Keys.Order(StringComparer.Ordinal).ToList(),
            Tty = wire.Tty ?? false,
            OpenStdin = wire.OpenStdin ?? false,
            StdinOnce = wire.StdinOnce ?? false,
            Env = wire.Env,
            Cmd = wire.Cmd,
            Healthcheck = wire.Healthcheck is { } h ? new HealthSettings
            {
                Test = h.Test,
                Interval = h.Interval ?? 0,
                Timeout = h.Timeout ?? 0,
                StartPeriod = h.StartPeriod ?? 0,
                StartInterval = h.StartInterval ?? 0,
                Retries = h.Retries ?? 0,
            } : null,
            ArgsEscaped = wire.ArgsEscaped ?? false,
            Image = wire.Image ?? "",
            Volumes = wire.Volumes?.Keys.Order(StringComparer.Ordinal).ToList(),
            WorkingDir = wire.WorkingDir ?? "",
            Entrypoint = wire.Entrypoint,
            NetworkDisabled = wire.NetworkDisabled ?? false,
            MacAddress = wire.MacAddress,
            OnBuild = wire.OnBuild,
            Labels = wire.Labels ?? [],
            StopSignal = string.IsNullOrEmpty(wire.StopSignal) ? null : wire.StopSignal,
            StopTimeout = wire.StopTimeout,
            Shell = wire.Shell,
        };
        return new CreateRequest(name, config, ToEngine(wire.HostConfig ?? new HostConfigWire()), platform)
        {
            EndpointsConfig = EndpointWireMapping.ToEngine(wire.NetworkingConfig),
        };
    }

    public static HostSettings ToEngine(HostConfigWire h)
    {
        var defaults = new HostSettings();
        string network = h.NetworkMode ?? "";
        return new HostSettings
        {
            Binds = h.Binds,
            Mounts = h.Mounts?.Select(MountWireMapping.ToEngine).ToList(),
            ContainerIDFile = h.ContainerIDFile ?? "",
            // Empty: the daemon's log-driver, merged at create (with its log-opts).
            LogConfig = new LogSettings(h.LogConfig?.Type ?? "", h.LogConfig?.Config),
            // dockerd: an empty or "default" network mode is the default network (bridge on Linux).
            NetworkMode = network is "" or "default" ? "bridge" : network,
            PortBindings = h.PortBindings?.ToDictionary(p => p.Key, p => (IReadOnlyList<PortBindingSettings>)[.. (p.Value ?? []).Select(b => new PortBindingSettings(b.HostIp ?? "", b.HostPort ?? ""))]),
            RestartPolicy = new RestartPolicySettings(string.IsNullOrEmpty(h.RestartPolicy?.Name) ? "no" : h.RestartPolicy.Name, h.RestartPolicy?.MaximumRetryCount ?? 0),
            AutoRemove = h.AutoRemove ?? false,
            VolumeDriver = h.VolumeDriver ?? "",
            VolumesFrom = h.VolumesFrom,
            ConsoleSize = h.ConsoleSize is { Count: 2 } size ? size : [0, 0],
            Annotations = h.Annotations,
            CapAdd = h.CapAdd,
            CapDrop = h.CapDrop,
            CgroupnsMode = h.CgroupnsMode ?? "",
            Dns = h.Dns ?? [],
            DnsOptions = h.DnsOptions ?? [],
            DnsSearch = h.DnsSearch ?? [],
            ExtraHosts = h.ExtraHosts,
            GroupAdd = h.GroupAdd,
            IpcMode = string.IsNullOrEmpty(h.IpcMode) ? defaults.IpcMode : h.IpcMode,
            Cgroup = h.Cgroup ?? "",
            Links = h.Links,
            OomScoreAdj = h.OomScoreAdj ?? 0,
            PidMode = h.PidMode ?? "",
            Privileged = h.Privileged ?? false,
            PublishAllPorts = h.PublishAllPorts ?? false,
            ReadonlyRootfs = h.ReadonlyRootfs ?? false,
            SecurityOpt = h.SecurityOpt,
            StorageOpt = h.StorageOpt,
            Tmpfs = h.Tmpfs,
            UTSMode = h.UTSMode ?? "",
            UsernsMode = h.UsernsMode ?? "",
            // 0 means "the default" (64 MiB) as in dockerd.
            ShmSize = h.ShmSize is > 0 ? h.ShmSize.Value : defaults.ShmSize,
            Sysctls = h.Sysctls,
            Isolation = h.Isolation ?? "",
            // Empty means the daemon's default; a name is checked at create (unknown → 400).
            Runtime = h.Runtime ?? "",
            CpuShares = h.CpuShares ?? 0,
            Memory = h.Memory ?? 0,
            NanoCpus = h.NanoCpus ?? 0,
            CgroupParent = h.CgroupParent ?? "",
            BlkioWeight = h.BlkioWeight ?? 0,
            BlkioWeightDevice = h.BlkioWeightDevice?.Select(d => new WeightDeviceSettings(d.Path ?? "", d.Weight ?? 0)).ToList(),
            BlkioDeviceReadBps = ContainerOpsWireMapping.Throttles(h.BlkioDeviceReadBps),
            BlkioDeviceWriteBps = ContainerOpsWireMapping.Throttles(h.BlkioDeviceWriteBps),
            BlkioDeviceReadIOps = ContainerOpsWireMapping.Throttles(h.BlkioDeviceReadIOps),
            BlkioDeviceWriteIOps = ContainerOpsWireMapping.Throttles(h.BlkioDeviceWriteIOps),
            CpuPeriod = h.CpuPeriod ?? 0,
            CpuQuota = h.CpuQuota ?? 0,
            CpuRealtimePeriod = h.CpuRealtimePeriod ?? 0,
            CpuRealtimeRuntime = h.CpuRealtimeRuntime ?? 0,
            CpusetCpus = h.CpusetCpus ?? "",
            CpusetMems = h.CpusetMems ?? "",
            Devices = [.. (h.Devices ?? []).Select(d => new DeviceSettings(d.PathOnHost ?? "", string.IsNullOrEmpty(d.PathInContainer) ? d.PathOnHost ?? "" : d.PathInContainer, string.IsNullOrEmpty(d.CgroupPermissions) ? "rwm" : d.CgroupPermissions))],
            MemoryReservation = h.MemoryReservation ?? 0,
            MemorySwap = h.MemorySwap ?? 0,
            MemorySwappiness = h.MemorySwappiness,
            OomKillDisable = h.OomKillDisable,
            PidsLimit = h.PidsLimit,
            Ulimits = [.. (h.Ulimits ?? []).Select(u => new UlimitSettings(u.Name ?? "", u.Soft ?? 0, u.Hard ?? 0))],
            Init = h.Init,
            MaskedPaths = h.MaskedPaths,
            ReadonlyPaths = h.ReadonlyPaths,
        };
    }

    public static HostConfigWire ToWire(HostSettings h) => new()
    {
        Binds = h.Binds?.ToList(),
        Mounts = h.Mounts?.Select(MountWireMapping.ToWire).ToList(),
        ContainerIDFile = h.ContainerIDFile,
        LogConfig = new LogConfigWire(h.LogConfig.Type, h.LogConfig.Config?.ToDictionary() ?? []),
        NetworkMode = h.NetworkMode,
        PortBindings = h.PortBindings?.ToDictionary(p => p.Key, p => (List<PortBindingWire>?)[.. p.Value.Select(b => new PortBindingWire(b.HostIp, b.HostPort))]) ?? [],
        RestartPolicy = new RestartPolicyWire(h.RestartPolicy.Name, h.RestartPolicy.MaximumRetryCount),
        AutoRemove = h.AutoRemove,
        VolumeDriver = h.VolumeDriver,
        VolumesFrom = h.VolumesFrom?.ToList(),
        ConsoleSize = [.. h.ConsoleSize],
        Annotations = h.Annotations?.ToDictionary(),
        CapAdd = h.CapAdd?.ToList(),
        CapDrop = h.CapDrop?.ToList(),
        CgroupnsMode = h.CgroupnsMode,
        Dns = [.. h.Dns],
        DnsOptions = [.. h.DnsOptions],
        DnsSearch = [.. h.DnsSearch],
        ExtraHosts = h.ExtraHosts?.ToList(),
        GroupAdd = h.GroupAdd?.ToList(),
        IpcMode = h.IpcMode,
        Cgroup = h.Cgroup,
        Links = h.Links?.ToList(),
        OomScoreAdj = h.OomScoreAdj,
        PidMode = h.PidMode,
        Privileged = h.Privileged,
        PublishAllPorts = h.PublishAllPorts,
        ReadonlyRootfs = h.ReadonlyRootfs,
        SecurityOpt = h.SecurityOpt?.ToList(),
        StorageOpt = h.StorageOpt?.ToDictionary(),
        Tmpfs = h.Tmpfs?.ToDictionary(),
        UTSMode = h.UTSMode,
        UsernsMode = h.UsernsMode,
        ShmSize = h.ShmSize,
        Sysctls = h.Sysctls?.ToDictionary(),
        Runtime = h.Runtime,
        Isolation = h.Isolation,
        CpuShares = h.CpuShares,
        Memory = h.Memory,
        NanoCpus = h.NanoCpus,
        CgroupParent = h.CgroupParent,
        BlkioWeight = h.BlkioWeight,
        BlkioWeightDevice = h.BlkioWeightDevice?.Select(d => new WeightDeviceWire(d.Path, d.Weight)).ToList(),
        BlkioDeviceReadBps = ContainerOpsWireMapping.ThrottlesWire(h.BlkioDeviceReadBps),
        BlkioDeviceWriteBps = ContainerOpsWireMapping.ThrottlesWire(h.BlkioDeviceWriteBps),
        BlkioDeviceReadIOps = ContainerOpsWireMapping.ThrottlesWire(h.BlkioDeviceReadIOps),
        BlkioDeviceWriteIOps = ContainerOpsWireMapping.ThrottlesWire(h.BlkioDeviceWriteIOps),
        CpuPeriod = h.CpuPeriod,
        CpuQuota = h.CpuQuota,
        CpuRealtimePeriod = h.CpuRealtimePeriod,
        CpuRealtimeRuntime = h.CpuRealtimeRuntime,
        CpusetCpus = h.CpusetCpus,
        CpusetMems = h.CpusetMems,
        Devices = [.. h.Devices.Select(d => new DeviceMappingWire(d.PathOnHost, d.PathInContainer, d.CgroupPermissions))],
        MemoryReservation = h.MemoryReservation,
        MemorySwap = h.MemorySwap,
        MemorySwappiness = h.MemorySwappiness,
        OomKillDisable = h.OomKillDisable,
        PidsLimit = h.PidsLimit,
        Ulimits = [.. h.Ulimits.Select(u => new UlimitWire(u.Name, u.Soft, u.Hard))],
        Init = h.Init,
        MaskedPaths = h.MaskedPaths?.ToList(),
        ReadonlyPaths = h.ReadonlyPaths?.ToList(),
    };

    public static ContainerConfigWire ToWire(ContainerSettings c) => new()
    {
        Hostname = c.Hostname,
        Domainname = c.Domainname,
        User = c.User,
        AttachStdin = c.AttachStdin,
        AttachStdout = c.AttachStdout,
        AttachStderr = c.AttachStderr,
        ExposedPorts = c.ExposedPorts?.ToDictionary(p => p, _ => new EmptyObject()),
        Tty = c.Tty,
        OpenStdin = c.OpenStdin,
        StdinOnce = c.StdinOnce,
        Env = c.Env,
        Cmd = c.Cmd,
        Healthcheck = c.Healthcheck is { } h ? new HealthConfigWire
        {
            Test = h.Test,
            Interval = h.Interval,
            Timeout = h.Timeout,
            StartPeriod = h.StartPeriod,
            StartInterval = h.StartInterval,
            Retries = h.Retries,
        } : null,
        ArgsEscaped = c.ArgsEscaped ? true : null,
        Image = c.Image,
        Volumes = c.Volumes?.ToDictionary(v => v, _ => new EmptyObject()),
        WorkingDir = c.WorkingDir,
        Entrypoint = c.Entrypoint,
        OnBuild = c.OnBuild,
        Labels = c.Labels,
        StopSignal = c.StopSignal,
        Shell = c.Shell,
    };

    public static ContainerInspectWire ToWire(ContainerDetails details)
    {
        ContainerRecord r = details.Record;
        ContainerState s = r.State;
        var graph = new Dictionary<string, string>();
        if (details.LowerDir is not null)
        {
            graph["LowerDir"] = details.LowerDir;
        }
        if (details.UpperDir is not null)
        {
            graph["MergedDir"] = details.MergedDir!;
            graph["UpperDir"] = details.UpperDir;
            graph["WorkDir"] = details.WorkDir!;
        }
        return new ContainerInspectWire
        {
            Id = r.Id,
            Created = GoTime.FormatRfc3339Nano(r.Created.ToUniversalTime()),
            Path = r.Path,
            Args = r.Args,
            State = new ContainerStateWire(ContainerState.StatusText(s.Status), s.Running, s.Paused, s.Restarting, s.OOMKilled, s.Dead,
                s.Pid, s.ExitCode, s.Error, Time(s.StartedAt), Time(s.FinishedAt), ContainerOpsWireMapping.ToWire(s.Health)),
            Image = r.ImageId,
            ResolvConfPath = r.ResolvConfPath,
            HostnamePath = r.HostnamePath,
            HostsPath = r.HostsPath,
            LogPath = r.LogPath,
            Name = "/" + r.Name,
            RestartCount = r.RestartCount,
            Driver = r.Driver,
            Platform = r.Platform,
            ExecIDs = details.ExecIds.Count == 0 ? null : details.ExecIds,
            HostConfig = ToWire(r.HostConfig),
            GraphDriver = new GraphDriverWire(graph, r.Driver),
            Mounts = [.. r.MountPoints.Select(MountWireMapping.ToWire)],
            Config = ToWire(r.Config),
            NetworkSettings = EndpointWireMapping.Settings(r) with { Ports = PortWireMapping.Map(details.Ports) },
        };
    }

    public static ContainerSummaryWire ToWire(ContainerSummary summary, DateTimeOffset now)
    {
        ContainerRecord r = summary.Record;
        return new ContainerSummaryWire
        {
            Id = r.Id,
            Names = ["/" + r.Name],
            Image = summary.Image,
            ImageID = r.ImageId,
            Command = summary.Command,
            Created = r.Created.ToUnixTimeSeconds(),
            SizeRw = summary.SizeRw,
            SizeRootFs = summary.SizeRootFs,
            Labels = r.Config.Labels,
            State = ContainerState.StatusText(r.State.Status),
            Status = StatusText.Describe(r.State, false, now),
            HostConfig = new SummaryHostConfigWire(r.HostConfig.NetworkMode),
            NetworkSettings = new SummaryNetworkSettingsWire(EndpointWireMapping.Networks(r)),
            Ports = PortWireMapping.Rows(summary.Ports),
            Mounts = [.. r.MountPoints.Select(MountWireMapping.ToWire)],
        };
    }

    private static string Time(DateTimeOffset? time) => time is { } t ? GoTime.FormatRfc3339Nano(t.ToUniversalTime()) : ZeroTime;
}
