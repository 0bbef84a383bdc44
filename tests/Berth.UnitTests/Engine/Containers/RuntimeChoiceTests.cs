using Berth.Engine.Configuration;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Runtime.Monitor;

namespace Berth.UnitTests.Engine.Containers;

public sealed class RuntimeChoiceTests
{
    private static RuntimeChoice WithCrun(string defaultRuntime = "runc") => RuntimeChoice.From(new DaemonConfig
    {
        Runtimes = new Dictionary<string, OciRuntimeConfig> { ["crun"] = new("/usr/bin/crun") },
        DefaultRuntime = defaultRuntime,
    });

    [Fact]
    public void Empty_means_the_default_at_create()
    {
        Assert.Equal("runc", WithCrun().Resolve(""));
        Assert.Equal("crun", WithCrun("crun").Resolve(null));
        Assert.Equal("runc", WithCrun("crun").Resolve("runc"));
        Assert.Equal("io.containerd.runc.v2", WithCrun().Resolve("io.containerd.runc.v2"));
    }

    [Fact]
    public void Unknown_names_are_refused_with_dockerds_text()
    {
        Assert.Null(WithCrun().Reject("crun"));
        Assert.Null(WithCrun().Reject("runc"));
        Assert.Null(WithCrun().Reject("io.containerd.runc.v2"));
        Assert.Null(WithCrun().Reject(""));
        Assert.Equal("unknown or invalid runtime name: kata", WithCrun().Reject("kata"));
        Assert.Equal("unknown or invalid runtime name: crun", RuntimeChoice.RuncOnly.Reject("crun"));
    }

    [Fact]
    public void Monitors_are_found_by_the_containers_runtime()
    {
        var runc = new FakeMonitor();
        var crun = new FakeMonitor();
        var retired = new FakeMonitor();
        var monitors = new RuntimeMonitors(runc, name => name == "old" ? retired : null);
        monitors.Add("crun", crun);
        monitors.AddMissing("gone", "gone-rt");

        Assert.Same(runc, monitors.ForExisting(null)); // records from runc-only versions
        Assert.Same(runc, monitors.ForStart("io.containerd.runc.v2"));
        Assert.Same(crun, monitors.ForStart("crun"));
        Assert.Same(retired, monitors.ForExisting("old"));
        Assert.Equal(ErrorKind.InvalidParameter, Assert.Throws<DaemonException>(() => monitors.ForStart("old")).Kind);
        Assert.Equal("unknown or invalid runtime name: kata", Assert.Throws<DaemonException>(() => monitors.ForExisting("kata")).Message);
        Assert.Contains("\"gone-rt\": executable file not found in $PATH", Assert.Throws<DaemonException>(() => monitors.ForStart("gone")).Message);
        Assert.Equal(3, monitors.All.Count);
    }

    private sealed class FakeMonitor : IContainerMonitor
    {
        public Berth.Runtime.Oci.IOciRuntime Runtime => throw new NotSupportedException();
        public Task<MonitoredContainer> CreateAsync(string id, string bundleDir, string stateDir, MonitorCreateOptions options, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task StartAsync(MonitoredContainer container, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IContainerAttachment> AttachAsync(MonitoredContainer container, int bufferFrames = 256, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<ContainerExit> WaitForExitAsync(MonitoredContainer container, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ContainerExit? TryReadExit(MonitoredContainer container) => throw new NotSupportedException();
        public void Resize(MonitoredContainer container, int rows, int columns) => throw new NotSupportedException();
        public void ReopenLog(MonitoredContainer container) => throw new NotSupportedException();
        public Task<ExecSession> ExecAsync(MonitoredContainer container, string execId, ExecOptions options, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<ReattachResult> ReattachAsync(MonitoredContainer persisted, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task CleanupAsync(MonitoredContainer container, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
