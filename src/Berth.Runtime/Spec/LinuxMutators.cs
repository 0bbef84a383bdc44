using Berth.Engine.Errors;

namespace Berth.Runtime.Spec;

/// <summary>Mutators for cgroups, resources, devices, namespaces and sysctls.</summary>
public static class LinuxMutators
{
    /// <summary>cgroupfs-style "&lt;parent&gt;/&lt;id&gt;"; HostConfig.CgroupParent wins over the daemon's.</summary>
    public static void WithCgroupsPath(OciSpec spec, SpecInput input)
    {
        string parent = input.HostConfig.CgroupParent.Length > 0 ? input.HostConfig.CgroupParent : input.Daemon.CgroupParent;
        spec.Linux().CgroupsPath = parent.TrimEnd('/') + "/" + input.ContainerId;
    }

    /// <summary>dockerd's getMemoryResources/getCPUResources/getPidsLimit: only set values appear.</summary>
    public static void WithResources(OciSpec spec, SpecInput input)
    {
        ResourcesInput r = input.HostConfig.Resources;
        OciResources res = spec.Resources();

        var memory = new OciMemory
        {
            Limit = r.Memory > 0 ? r.Memory : null,
            Reservation = r.MemoryReservation > 0 ? r.MemoryReservation : null,
            Swap = r.MemorySwap > 0 ? r.MemorySwap : null,
            // -1 is the API's "unset"; anything else was validated to 0..100 at create.
            Swappiness = r.MemorySwappiness is >= 0 ? (ulong)r.MemorySwappiness.Value : null,
            DisableOomKiller = r.OomKillDisable,
        };
        res.Memory = memory is { Limit: null, Reservation: null, Swap: null, Swappiness: null, DisableOomKiller: null } ? null : memory;

        if (r.CpuShares < 0)
        {
            throw DaemonException.InvalidParameter(Messages.InvalidCpuShares(r.CpuShares));
        }
        var cpu = new OciCpu
        {
            Shares = r.CpuShares != 0 ? (ulong)r.CpuShares : null,
            Cpus = r.CpusetCpus.Length > 0 ? r.CpusetCpus : null,
            Mems = r.CpusetMems.Length > 0 ? r.CpusetMems : null,
        };
        if (r.NanoCpus > 0)
        {
            // 100ms period, quota scaled from nano-CPUs (sched-bwc), as dockerd.
            const ulong period = 100_000;
            cpu.Period = period;
            cpu.Quota = r.NanoCpus * (long)period / 1_000_000_000;
        }
        if (r.CpuPeriod != 0)
        {
            cpu.Period = (ulong)r.CpuPeriod;
        }
        if (r.CpuQuota != 0)
        {
            cpu.Quota = r.CpuQuota;
        }
        res.Cpu = cpu is { Shares: null, Cpus: null, Mems: null, Period: null, Quota: null } ? null : cpu;

        // 0 or negative means "unlimited"; runc wants -1 for that.
        res.Pids = r.PidsLimit is null ? null : new OciPids { Limit = r.PidsLimit.Value <= 0 ? -1 : r.PidsLimit.Value };
        res.BlockIo = new OciBlockIo
        {
            Weight = r.BlkioWeight != 0 ? r.BlkioWeight : null,
            WeightDevice = r.BlkioWeightDevice.Count == 0 ? null
                : [.. r.BlkioWeightDevice.Select(d => new OciWeightDevice { Major = d.Major, Minor = d.Minor, Weight = (ushort)d.Value })],
            ThrottleReadBpsDevice = Throttles(r.BlkioReadBps),
            ThrottleWriteBpsDevice = Throttles(r.BlkioWriteBps),
            ThrottleReadIopsDevice = Throttles(r.BlkioReadIops),
            ThrottleWriteIopsDevice = Throttles(r.BlkioWriteIops),
        };
    }

    private static List<OciThrottleDevice>? Throttles(IReadOnlyList<BlkioDeviceInput> list) =>
        list.Count == 0 ? null : [.. list.Select(d => new OciThrottleDevice { Major = d.Major, Minor = d.Minor, Rate = d.Value })];

    /// <summary>
    /// --device mappings (device nodes plus cgroup allow rules); privileged containers get
    /// every host device and an allow-all device cgroup instead.
    /// </summary>
    public static void WithDevices(OciSpec spec, SpecInput input)
    {
        OciLinux linux = spec.Linux();
        OciResources res = spec.Resources();
        linux.Devices ??= [];
        res.Devices ??= [];
        if (input.HostConfig.Privileged)
        {
            linux.Devices.AddRange(input.Devices.AllHostDevices().Select(d => ToOci(d, d.Path)));
            foreach (DeviceMapping m in input.HostConfig.Devices.Where(m => m.PathOnHost != m.PathInContainer))
            {
                linux.Devices.AddRange(Map(input.Devices, m).Select(x => x.Device));
            }
            res.Devices = [new OciDeviceCgroup { Allow = true, Access = "rwm" }];
            return;
        }
        foreach (DeviceMapping m in input.HostConfig.Devices)
        {
            string access = m.CgroupPermissions.Length > 0 ? m.CgroupPermissions : "rwm";
            foreach ((OciDevice device, HostDevice host) in Map(input.Devices, m))
            {
                linux.Devices.Add(device);
                res.Devices.Add(new OciDeviceCgroup
                {
                    Allow = true,
                    Type = device.Type,
                    Major = host.Major,
                    Minor = host.Minor,
                    Access = access,
                });
            }
        }
    }

    /// <summary>Resolver paths are relative to PathOnHost ("" for the node itself).</summary>
    private static IEnumerable<(OciDevice Device, HostDevice Host)> Map(IHostDeviceResolver resolver, DeviceMapping m) =>
        resolver.Resolve(m.PathOnHost).Select(d => (ToOci(d, m.PathInContainer + d.Path), d));

    private static OciDevice ToOci(HostDevice d, string path) => new()
    {
        Path = path,
        Type = d.Type.ToString(),
        Major = d.Major,
        Minor = d.Minor,
        FileMode = d.FileMode,
        Uid = d.Uid,
        Gid = d.Gid,
    };

    public static void WithNamespaces(OciSpec spec, SpecInput input)
    {
        HostConfigInput h = input.HostConfig;
        OciLinux linux = spec.Linux();

        // network: "host" shares the host's, "container:x" joins x's, else new (or the one
        // networking prepared for us).
        if (TryContainer(h.NetworkMode, out string? netPeer))
        {
            Set(linux, "network", input.Namespaces.ResolveNamespacePath(netPeer, "net"));
        }
        else if (h.NetworkMode == "host")
        {
            Remove(linux, "network");
        }
        else
        {
            Set(linux, "network", input.Paths.NetworkNamespacePath);
        }

        ShareableNamespace(linux, input, h.IpcMode, "ipc", "ipc", "IPC",
            m => m is "" or "private" or "shareable" or "none");
        ShareableNamespace(linux, input, h.PidMode, "pid", "pid", "PID", m => m.Length == 0);

        if (h.UtsMode is not ("" or "host"))
        {
            throw DaemonException.InvalidParameter(Messages.InvalidNamespaceMode("UTS", h.UtsMode));
        }
        if (h.UtsMode == "host")
        {
            Remove(linux, "uts");
        }

        string cgroupns = h.CgroupnsMode.Length > 0 ? h.CgroupnsMode : input.Daemon.CgroupV2 ? "private" : "host";
        if (cgroupns is not ("private" or "host"))
        {
            throw DaemonException.InvalidParameter(Messages.InvalidCgroupnsMode(h.CgroupnsMode));
        }
        if (cgroupns == "private")
        {
            Set(linux, "cgroup", null);
        }
    }

    /// <summary>ipc and pid: host, container:&lt;x&gt;, or a private namespace for the listed modes.</summary>
    private static void ShareableNamespace(
        OciLinux linux, SpecInput input, string mode, string type, string nsFile, string what, Func<string, bool> isPrivate)
    {
        if (TryContainer(mode, out string? peer))
        {
            Set(linux, type, input.Namespaces.ResolveNamespacePath(peer, nsFile));
        }
        else if (mode == "host")
        {
            Remove(linux, type);
        }
        else if (isPrivate(mode))
        {
            Set(linux, type, null);
        }
        else
        {
            throw DaemonException.InvalidParameter(Messages.InvalidNamespaceMode(what, mode));
        }
    }

    private static bool TryContainer(string mode, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? peer)
    {
        peer = null;
        if (!mode.StartsWith("container:", StringComparison.Ordinal) || mode.Length == "container:".Length)
        {
            return false;
        }
        peer = mode["container:".Length..];
        return true;
    }

    private static void Set(OciLinux linux, string type, string? path)
    {
        int i = linux.Namespaces.FindIndex(n => n.Type == type);
        var ns = new OciNamespace { Type = type, Path = path };
        if (i >= 0)
        {
            linux.Namespaces[i] = ns;
        }
        else
        {
            linux.Namespaces.Add(ns);
        }
    }

    private static void Remove(OciLinux linux, string type) => linux.Namespaces.RemoveAll(n => n.Type == type);

    /// <summary>
    /// dockerd's defaults for a private network (ping without CAP_NET_RAW, low ports without
    /// CAP_NET_BIND_SERVICE), then the user's sysctls, validated with runc's rules so a bad
    /// one fails at create with a clear message rather than at start.
    /// </summary>
    public static void WithSysctls(OciSpec spec, SpecInput input)
    {
        OciLinux linux = spec.Linux();
        linux.Sysctl ??= new SortedDictionary<string, string>(StringComparer.Ordinal);
        string net = input.HostConfig.NetworkMode;
        if (net != "host" && !net.StartsWith("container:", StringComparison.Ordinal))
        {
            linux.Sysctl["net.ipv4.ping_group_range"] = "0 2147483647";
            linux.Sysctl["net.ipv4.ip_unprivileged_port_start"] = "0";
        }
        foreach ((string key, string value) in input.HostConfig.Sysctls)
        {
            ValidateSysctl(key, linux.Namespaces);
            linux.Sysctl[key] = value;
        }
    }

    private static readonly HashSet<string> IpcSysctls = new(StringComparer.Ordinal)
    {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced",
    };

    private static void ValidateSysctl(string key, List<OciNamespace> namespaces)
    {
        bool Has(string type) => namespaces.Any(n => n.Type == type);
        if (IpcSysctls.Contains(key) || key.StartsWith("fs.mqueue.", StringComparison.Ordinal))
        {
            if (!Has("ipc"))
            {
                throw DaemonException.InvalidParameter(Messages.SysctlHostIpc(key));
            }
            return;
        }
        if (key.StartsWith("net.", StringComparison.Ordinal))
        {
            if (!Has("network"))
            {
                throw DaemonException.InvalidParameter(Messages.SysctlHostNetwork(key));
            }
            return;
        }
        if (Has("uts") && key == "kernel.domainname")
        {
            return;
        }
        if (Has("uts") && key == "kernel.hostname")
        {
            throw DaemonException.InvalidParameter(Messages.SysctlHostname(key));
        }
        throw DaemonException.InvalidParameter(Messages.SysctlNotNamespaced(key));
    }
}
