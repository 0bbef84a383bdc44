using System.Runtime.InteropServices;
using Berth.Api;
using Berth.Api.Routers;
using Berth.Daemon.Configuration;
using Berth.Daemon.Logging;
using Berth.Engine.Configuration;
using Berth.Engine.Events;
using Berth.Engine.Images;
using Berth.Engine.State;
using Berth.Engine.SystemInfo;
using Berth.Linux.Netlink;
using Berth.Networking;
using Berth.Networking.Bridge;
using Berth.Networking.Endpoints;
using Berth.Networking.Sandbox;
using Berth.Networking.Firewall;
using Berth.Engine.Volumes;
using Berth.Storage;
using Berth.Storage.Volumes;
using Berth.Storage.Content;
using Berth.Storage.Images;
using Berth.Storage.Layers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Daemon.Hosting;

/// <summary>
/// The composition root: takes the locks, opens the state, builds the engine services and the
/// routers once, binds the listeners, and runs until SIGTERM/SIGINT. SIGHUP reloads.
/// </summary>
public sealed partial class DaemonHost
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(15);

    private readonly string[] _args;
    private readonly ConfigHolder _config;

    public DaemonHost(string[] args, DaemonConfig config)
    {
        _args = args;
        _config = new ConfigHolder(config);
    }

    public async Task<int> RunAsync()
    {
        var config = _config.Current;
        using var loggerProvider = new StderrLoggerProvider(() => StderrLoggerProvider.LevelOf(_config.Current));
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(loggerProvider));
        var log = loggerFactory.CreateLogger("berthd");

        var addresses = config.Hosts.Select(Listeners.Parse).ToList();
        if (Listeners.Validate(config, addresses) is { } listenError)
        {
            return Fail(log, listenError);
        }
        if (!config.TlsEnabled && addresses.Any(a => a.Scheme == "tcp"))
        {
            LogInsecureTcp(log);
        }

        Directory.CreateDirectory(config.DataRoot);
        File.SetUnixFileMode(config.DataRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        Directory.CreateDirectory(config.ExecRoot);
        File.SetUnixFileMode(config.ExecRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var locks = DaemonLock.Acquire(config.PidFile, config.DataRoot, config.ExecRoot, out string? lockError);
        if (lockError is not null)
        {
            return Fail(log, lockError);
        }
        foreach (var address in addresses.Where(a => a.Scheme == "unix"))
        {
            if (Listeners.PrepareUnixSocket(address.Target) is { } socketError)
            {
                return Fail(log, socketError);
            }
        }
        string groupText = File.Exists("/etc/group") ? File.ReadAllText("/etc/group") : "";
        if (GroupResolver.ResolveSocketGroup(groupText, config.Group, out string? groupError) is not { } gid)
        {
            return Fail(log, groupError ?? $"group {config.Group} not found");
        }

        using var state = new SqliteStateStore(config.DataRoot);
        string daemonId = DaemonIdentity.GetOrCreateDaemonId(state);
        var time = TimeProvider.System;
        var events = new EventBus(time);
        var probe = new ComponentProbe("runc", "runc", "conmon");
        var content = new ContentStore(config.DataRoot);
        var layers = new OverlayLayerStore(config.DataRoot);
        var imageUsage = new DeferredImageUsage();
        var images = new ImageService(new SqliteImageStore(state), content, layers, events, time, imageUsage)
        {
            TempRoot = Path.Combine(config.DataRoot, "tmp"),
        };
        // Spools of loads cut short by a crash.
        Engine.Images.Archive.ArchiveSpool.RemoveAll(images.TempRoot);
        using var volumes = new VolumeService(new LocalVolumeStore(config.DataRoot), new LinuxMounter(), events, time, loggerFactory.CreateLogger("volumes"));
        // One berth-exec for execs and health probes: one compiled seccomp program per profile.
        var execHelper = Runtime.Exec.ExecHelper.Locate(config.ExecRoot);
        using var containers = ContainerWiring.Build(config, state, images, layers, volumes, events, time, loggerFactory, execHelper, out var monitor);
        using var monitorScope = monitor;
        using var execs = ExecWiring.Build(config, containers, monitor, events, time, loggerFactory, execHelper);
        imageUsage.Target = containers;
        foreach (var warning in images.LoadWarnings)
        {
            LogImageSkipped(log, warning);
        }
        // Leftovers of a crash (kill -9 between unpacking a layer and recording its image).
        long reclaimed = images.CollectGarbage();
        if (reclaimed > 0)
        {
            LogGarbageCollected(log, reclaimed);
        }
        var system = new SystemService(_config, new DelegateObjectCounts(containers.Counts, () => images.Count), probe, daemonId, time);

        // Stored networks before the listeners: the first request must already see bridge/host/none.
        // Devices and rules (kept on shutdown, as dockerd does) are reconciled after the listeners
        // are up — netlink and iptables cost more than the whole rest of start-up.
        using var netlink = new RtNetlink();
        var networkLog = loggerFactory.CreateLogger("network");
        var firewall = new Firewall(config.IptablesChainPrefix, new IptablesCommands(), networkLog);
        var networks = new NetworkService(() => _config.Current, new SqliteNetworkStore(state),
            new BridgeDevices(netlink, config.IptablesChainPrefix, networkLog), firewall, events, time, networkLog);
        try
        {
            networks.Load();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or Engine.Errors.DaemonException)
        {
            return Fail(log, $"failed to set up networking: {e.Message}");
        }
        var containerNetworking = new ContainerNetworking(networks, new NetnsSandboxes(config.ExecRoot),
            new BridgeEndpointDriver(netlink, config.IptablesChainPrefix), events, networkLog);
        containers.Networking = containerNetworking;
        networks.Attacher = containers;
        await using var embeddedDns = PublishingWiring.Attach(containerNetworking, containers, firewall, () => _config.Current, networkLog);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = _args });
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(loggerProvider);
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        // Registered before Kestrel so it replaces the socket transport (see HalfCloseTransportFactory).
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IConnectionListenerFactory, Transport.HalfCloseTransportFactory>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            Listeners.Configure(k, config, addresses);
        });
        var app = builder.Build();
        var distribution = DistributionWiring.Build(config, images, content, layers, loggerFactory);
        var build = BuildWiring.Build(state, images, containers, layers, time, new Engine.Distribution.BuildPuller(distribution.Service));
        IRouter[] routers =
        [
            new SystemRouter(system, () => events.SubscriberCount, () => _config.Current.DefaultAddressPools),
            new EventsRouter(events, time),
            new ImagesRouter(images, distribution),
            distribution,
            new ImageArchiveRouter(images),
            new DiskUsageRouter(images, containers, volumes, time, build),
            new NetworksRouter(networks),
            new VolumesRouter(volumes),
            new ContainersRouter(containers, time),
            new ContainerOpsRouter(containers),
            new ExecRouter(execs),
            new ContainerStreamsRouter(containers, new Engine.Containers.Logs.ContainerLogService(containers, new Runtime.Logs.K8sLogReader())),
            new ContainerArchiveRouter(containers),
            new BuildRouter(build),
            new UnsupportedRouter(),
        ];
        ApiPipeline.Configure(app, routers, $"Berth/{BuildInfo.Version} (linux)");

        // Before the API answers: containers that ran (or exited) while no daemon watched them.
        await containers.RecoverAsync();

        using var stopping = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stopping.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stopping.Cancel(); });
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx => { ctx.Cancel = true; Reload(log, events, daemonId); });

        try
        {
            await app.StartAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException or System.Security.Cryptography.CryptographicException)
        {
            return Fail(log, $"failed to start the API listeners: {e.Message}");
        }
        Listeners.SecureUnixSockets(addresses, gid);
        foreach (var address in addresses)
        {
            LogListening(log, address.ToString());
        }
        LogReady(log, BuildInfo.Version, daemonId, config.DataRoot);
        // Two process spawns: after the listeners are up, so they never delay the first answer.
        probe.Warm();
        var reconciled = Task.Run(() => ReconcileNetworks(networks, containerNetworking, log));
        // Restart policies after the networks are back (containers may need their bridges).
        var autostart = reconciled.ContinueWith(_ => containers.StartByPolicyAsync(), TaskScheduler.Default).Unwrap();

        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token);
        }
        catch (OperationCanceledException)
        {
        }
        LogStopping(log);
        await autostart;
        await ContainerLifecycle.ShutdownAsync(containers, _config.Current, log);
        // Kestrel stops accepting at once and gives in-flight requests until the deadline.
        using (var deadline = new CancellationTokenSource(ShutdownTimeout))
        {
            await app.StopAsync(deadline.Token);
        }
        await reconciled; // it uses netlink, disposed below
        await containerNetworking.DrainAsync(); // veth deletions of the containers just stopped
        await app.DisposeAsync();
        Listeners.RemoveUnixSockets(addresses);
        LogStopped(log);
        return 0;
    }

    private void Reload(ILogger log, EventBus events, string daemonId)
    {
        var result = ConfigLoader.Reload(_config.Current, _args);
        if (result.Error is not null)
        {
            LogReloadFailed(log, result.Error ?? "unknown error");
            return;
        }
        _config.Swap(result.Config);
        var attributes = new Dictionary<string, string>(ConfigLoader.ReloadAttributes(result.Config))
        {
            ["name"] = Linux.HostFacts.Hostname(),
        };
        events.Publish(EventTypes.Daemon, "reload", daemonId, attributes);
        LogReloaded(log, string.Join(", ", result.ChangedKeys));
    }

    private static void ReconcileNetworks(NetworkService networks, ContainerNetworking containerNetworking, ILogger log)
    {
        try
        {
            networks.Reconcile();
            // After the bridges exist again: endpoints of containers that kept running go back on them.
            containerNetworking.Reconcile();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or Engine.Errors.DaemonException)
        {
            // The API keeps serving; network operations report their own errors until fixed.
            LogNetworkReconcileFailed(log, e.Message);
        }
    }

    private static int Fail(ILogger log, string reason)
    {
        LogFatal(log, reason);
        return 1;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Critical, Message = "{Reason}")]
    private static partial void LogFatal(ILogger logger, string reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Binding to a TCP address without TLS (--tls=false). Anyone who can reach it has root on this host. This is insecure; use --tlsverify.")]
    private static partial void LogInsecureTcp(ILogger logger);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "API listen on {Address}")]
    private static partial void LogListening(ILogger logger, string address);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Daemon has completed initialization (version {Version}, id {Id}, data-root {DataRoot})")]
    private static partial void LogReady(ILogger logger, string version, string id, string dataRoot);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Processing signal 'terminated': stopping the API, waiting for in-flight requests")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Daemon shutdown complete")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "Error reloading configuration, keeping the current one: {Reason}")]
    private static partial void LogReloadFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogImageSkipped(ILogger logger, string warning);

    [LoggerMessage(EventId = 109, Level = LogLevel.Information, Message = "Removed {Bytes} bytes of unreferenced layers and blobs at start-up")]
    private static partial void LogGarbageCollected(ILogger logger, long bytes);

    [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "failed to set up networking: {Reason}")]
    private static partial void LogNetworkReconcileFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 107, Level = LogLevel.Information, Message = "Reloaded configuration: {Keys}")]
    private static partial void LogReloaded(ILogger logger, string keys);
}
