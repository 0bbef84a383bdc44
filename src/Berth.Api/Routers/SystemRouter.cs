using Berth.Api.Http;
using Berth.Api.Models;
using Berth.Engine.SystemInfo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Api.Routers;

/// <summary>/_ping, /version and /info.</summary>
public sealed class SystemRouter : IRouter
{
    private static readonly byte[] Ok = "OK"u8.ToArray();
    private readonly ISystemBackend _backend;
    private readonly Func<int> _eventListeners;
    private readonly Func<IReadOnlyList<Engine.Configuration.AddressPool>> _addressPools;

    public SystemRouter(ISystemBackend backend, Func<int> eventListeners, Func<IReadOnlyList<Engine.Configuration.AddressPool>> addressPools)
    {
        _backend = backend;
        _eventListeners = eventListeners;
        _addressPools = addressPools;
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/_ping", ["GET", "HEAD"], PingAsync);
        routes.MapGet("/version", VersionAsync);
        routes.MapGet("/info", InfoAsync);
    }

    private static Task PingAsync(HttpContext context)
    {
        // dockerd's ping: no caching, builder version, plain "OK" (and no body for HEAD).
        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache, no-store, must-revalidate";
        headers.Pragma = "no-cache";
        headers["Builder-Version"] = "1";
        headers["Swarm"] = "inactive";
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.ContentLength = 0;
            return Task.CompletedTask;
        }
        context.Response.ContentLength = Ok.Length;
        return context.Response.Body.WriteAsync(Ok).AsTask();
    }

    private async Task VersionAsync(HttpContext context)
    {
        var v = await _backend.GetVersionAsync();
        var engine = new ComponentWire("Engine", v.Version, new Dictionary<string, string>
        {
            ["ApiVersion"] = ApiVersions.Max.ToString(),
            ["Arch"] = v.Arch,
            ["BuildTime"] = v.BuildTime,
            ["Experimental"] = "false",
            ["GitCommit"] = v.GitCommit,
            ["GoVersion"] = v.RuntimeVersion,
            ["KernelVersion"] = v.KernelVersion,
            ["MinAPIVersion"] = ApiVersions.Min.ToString(),
            ["Os"] = v.Os,
        });
        var components = new List<ComponentWire>(1 + v.Components.Count) { engine };
        foreach (var c in v.Components)
        {
            components.Add(new ComponentWire(c.Name, c.Version, c.Details));
        }
        var body = new VersionResponse(
            new PlatformName($"Berth Engine {v.Version}"),
            components,
            v.Version,
            ApiVersions.Max.ToString(),
            ApiVersions.Min.ToString(),
            v.GitCommit,
            v.RuntimeVersion,
            v.Os,
            v.Arch,
            v.KernelVersion,
            false,
            v.BuildTime);
        await context.WriteJsonAsync(body, ApiJson.System.VersionResponse);
    }

    private async Task InfoAsync(HttpContext context)
    {
        var f = await _backend.GetInfoAsync();
        var runc = f.Components.FirstOrDefault(c => c.Name == f.DefaultRuntime);
        string runcCommit = runc?.Details.GetValueOrDefault("GitCommit") ?? "";
        var runtimes = new Dictionary<string, RuntimeWire>(f.Runtimes.Count);
        foreach (var (name, runtime) in f.Runtimes)
        {
            runtimes[name] = new RuntimeWire(runtime.Path) { RuntimeArgs = runtime.Args.Count > 0 ? runtime.Args : null };
        }
        var body = new InfoResponse
        {
            ID = f.Id,
            Containers = f.Containers.Total,
            ContainersRunning = f.Containers.Running,
            ContainersPaused = f.Containers.Paused,
            ContainersStopped = f.Containers.Stopped,
            Images = f.Images,
            Driver = f.StorageDriver,
            DriverStatus = f.StorageStatus.Select(kv => new[] { kv.Key, kv.Value }).ToArray(),
            DockerRootDir = f.DataRoot,
            Plugins = new PluginsInfo(["local"], ["bridge", "host", "none"], null, ["json-file", "local"]),
            MemoryLimit = f.Cgroups.MemoryLimit,
            SwapLimit = f.Cgroups.SwapLimit,
            CpuCfsPeriod = f.Cgroups.CpuCfsPeriod,
            CpuCfsQuota = f.Cgroups.CpuCfsQuota,
            CPUShares = f.Cgroups.CpuShares,
            CPUSet = f.Cgroups.CpuSet,
            PidsLimit = f.Cgroups.PidsLimit,
            OomKillDisable = f.Cgroups.OomKillDisable,
            IPv4Forwarding = f.IPv4Forwarding,
            BridgeNfIptables = f.BridgeNfIptables,
            BridgeNfIp6tables = f.BridgeNfIp6tables,
            Debug = f.Debug,
            NFd = f.FileDescriptors,
            NGoroutines = f.Threads,
            SystemTime = f.SystemTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz", System.Globalization.CultureInfo.InvariantCulture),
            LoggingDriver = f.LoggingDriver,
            CgroupDriver = f.CgroupDriver,
            CgroupVersion = f.CgroupVersion,
            NEventsListener = _eventListeners(),
            KernelVersion = f.KernelVersion,
            OperatingSystem = f.OperatingSystem,
            OSVersion = f.OsVersion,
            Architecture = f.Architecture,
            NCPU = f.Cpus,
            MemTotal = f.MemTotal,
            RegistryConfig = new RegistryConfigWire([], [], ["::1/128", "127.0.0.0/8"],
                new Dictionary<string, IndexInfoWire> { ["docker.io"] = new("docker.io", [], true, true) }, []),
            HttpProxy = Environment.GetEnvironmentVariable("HTTP_PROXY") ?? Environment.GetEnvironmentVariable("http_proxy") ?? "",
            HttpsProxy = Environment.GetEnvironmentVariable("HTTPS_PROXY") ?? Environment.GetEnvironmentVariable("https_proxy") ?? "",
            NoProxy = Environment.GetEnvironmentVariable("NO_PROXY") ?? Environment.GetEnvironmentVariable("no_proxy") ?? "",
            Name = f.Name,
            Labels = f.Labels,
            ServerVersion = f.ServerVersion,
            Runtimes = runtimes,
            DefaultRuntime = f.DefaultRuntime,
            ContainerdCommit = new CommitWire("", ""),
            RuncCommit = new CommitWire(runcCommit, runcCommit),
            InitCommit = new CommitWire("", ""),
            SecurityOptions = f.SecurityOptions,
            DefaultAddressPools = _addressPools().Select(p => new AddressPoolWire(p.Base, p.Size)).ToArray(),
            Warnings = f.Warnings,
            LiveRestoreEnabled = f.LiveRestoreEnabled,
        };
        await context.WriteJsonAsync(body, ApiJson.System.InfoResponse);
    }
}
