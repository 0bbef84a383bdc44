using System.Threading.Channels;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Events;
using Berth.Engine.Exec;
using Berth.Engine.SystemInfo;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.UnitTests.Engine.Exec;

public sealed class ExecServiceTests : IDisposable
{
    private const string ContainerId = "c0ffee0000000000000000000000000000000000000000000000000000000000";
    private readonly FakeContainers _containers = new();
    private readonly FakeRuntime _runtime = new();
    private readonly EventBus _events = new(TimeProvider.System);
    private readonly ExecService _execs;

    public ExecServiceTests()
    {
        _execs = new ExecService(_containers, _runtime, _events, TimeProvider.System, NullLogger.Instance);
    }

    public void Dispose() => _execs.Dispose();

    private static ExecCreateOptions Sh(string script) => new() { Cmd = ["sh", "-c", script], AttachStdout = true };

    private List<string> Actions()
    {
        using var sub = _events.Subscribe();
        return [.. sub.History.Select(e => e.Action)];
    }

    [Fact]
    public void Create_NeedsACommandAndARunningContainer()
    {
        Assert.Equal("No exec command specified", Assert.Throws<DaemonException>(() => _execs.Create("web", new ExecCreateOptions())).Message);
        _containers.SetStatus(ContainerStatus.Exited);
        var e = Assert.Throws<DaemonException>(() => _execs.Create("web", Sh("true")));
        Assert.Equal((ErrorKind.Conflict, $"Container {ContainerId} is not running"), (e.Kind, e.Message));
        _containers.SetStatus(ContainerStatus.Paused);
        Assert.Equal("Container web is paused, unpause the container before exec",
            Assert.Throws<DaemonException>(() => _execs.Create("web", Sh("true"))).Message);
        _containers.SetStatus(ContainerStatus.Running);
        var keys = Assert.Throws<DaemonException>(() => _execs.Create("web", Sh("true") with { InvalidDetachKeys = "ctrl-1" }));
        Assert.Equal((ErrorKind.System, "Invalid escape keys (ctrl-1) provided"), (keys.Kind, keys.Message));
    }

    [Fact]
    public async Task Lifecycle_CreateStartExit_AsDockerdReportsIt()
    {
        string id = _execs.Create("web", Sh("exit 5") with { DetachKeys = [1, (byte)'x'] });
        Assert.Equal(64, id.Length);
        Assert.Equal([id], _execs.ExecIdsOf(_containers.Record));
        ExecInspection created = _execs.Inspect(id);
        Assert.Equal((false, (int?)null, 0), (created.Running, created.ExitCode, created.Pid));
        Assert.Equal(("sh", "app"), (created.Entrypoint, created.User)); // user defaults to the container's
        Assert.Equal(["-c", "exit 5"], created.Arguments);
        Assert.Equal([1, (byte)'x'], created.DetachKeys);

        ExecRun run = await _execs.StartAsync(id, new ExecStartOptions(Detach: false));
        Assert.Equal(["sh", "-c", "exit 5"], _runtime.Last!.Args);
        Assert.Equal("/srv", _runtime.Last.WorkingDir);
        Assert.True(_runtime.Last.Attach);
        ExecInspection running = _execs.Inspect(id);
        Assert.Equal((true, 4242), (running.Running, running.Pid));
        Assert.Equal([id], _execs.ExecIdsOf(_containers.Record));

        _runtime.Process!.Exit.SetResult(5);
        await run.Completion;
        ExecInspection done = _execs.Inspect(id);
        Assert.Equal((false, (int?)5, 4242), (done.Running, done.ExitCode, done.Pid));
        Assert.Empty(_execs.ExecIdsOf(_containers.Record));
        Assert.Equal(["exec_create: sh -c exit 5", "exec_start: sh -c exit 5", "exec_die"], Actions());
        using (var sub = _events.Subscribe())
        {
            var die = sub.History[^1];
            Assert.Equal(("5", id, "web"), (die.Attributes["exitCode"], die.Attributes["execID"], die.Attributes["name"]));
        }

        var again = await Assert.ThrowsAsync<DaemonException>(() => _execs.StartAsync(id, new ExecStartOptions(false)));
        Assert.Equal((ErrorKind.Conflict, $"Error: Exec command {id} has already run"), (again.Kind, again.Message));
        var resize = await Assert.ThrowsAsync<DaemonException>(() => _execs.ResizeAsync(id, 10, 10));
        Assert.Equal((ErrorKind.NotFound, "no such exec"), (resize.Kind, resize.Message));
    }

    [Fact]
    public async Task FailedStart_Records126_WithoutExecDie()
    {
        string id = _execs.Create("web", new ExecCreateOptions { Cmd = ["nope"] });
        _runtime.Failure = new DaemonException(ErrorKind.InvalidParameter, "OCI runtime exec failed: exec failed: executable file not found in $PATH: unknown");
        var e = await Assert.ThrowsAsync<DaemonException>(() => _execs.StartAsync(id, new ExecStartOptions(true)));
        Assert.Same(_runtime.Failure, e);
        Assert.Equal((false, (int?)126), (_execs.Inspect(id).Running, _execs.Inspect(id).ExitCode));
        Assert.Empty(_execs.Inspect(id).Arguments);
        Assert.Empty(_execs.ExecIdsOf(_containers.Record));
        Assert.DoesNotContain("exec_die", Actions());
        Assert.False(_runtime.Last!.Attach);
    }

    [Fact]
    public async Task ContainerStop_DropsUnfinishedExecs_KeepsFinishedOnes_UntilGc()
    {
        string created = _execs.Create("web", Sh("true"));
        string finished = _execs.Create("web", Sh("true"));
        ExecRun run = await _execs.StartAsync(finished, new ExecStartOptions(true));
        _runtime.Process!.Exit.SetResult(0);
        await run.Completion;

        _containers.SetStatus(ContainerStatus.Exited);
        Assert.Equal("No such exec instance: " + created, Assert.Throws<DaemonException>(() => _execs.Inspect(created)).Message);
        Assert.Equal(0, _execs.Inspect(finished).ExitCode);
        var start = await Assert.ThrowsAsync<DaemonException>(() => _execs.StartAsync(finished, new ExecStartOptions(false)));
        Assert.Equal((ErrorKind.Conflict, $"Container {ContainerId} is not running"), (start.Kind, start.Message));
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<DaemonException>(() => _execs.EnsureStartable("nope")).Kind);

        // A restart is a new run: the old created exec does not come back.
        _containers.SetStatus(ContainerStatus.Running, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Empty(_execs.ExecIdsOf(_containers.Record));
        Assert.Throws<DaemonException>(() => _execs.Inspect(created));

        _execs.CollectGarbage();
        Assert.True(_execs.Inspect(finished).CanRemove);
        _execs.CollectGarbage();
        Assert.Equal("No such exec instance: " + finished, Assert.Throws<DaemonException>(() => _execs.Inspect(finished)).Message);
    }

    [Fact]
    public async Task Resize_ReachesTheProcess_AndConsoleSizeFollowsTty()
    {
        string id = _execs.Create("web", Sh("sleep 1") with { Tty = true, ConsoleSize = new ConsoleSize(24, 80) });
        await _execs.StartAsync(id, new ExecStartOptions(false, new ConsoleSize(30, 100)));
        Assert.Equal(new ConsoleSize(30, 100), _runtime.Last!.ConsoleSize);
        await _execs.ResizeAsync(id, 40, 120);
        Assert.Equal((40, 120), _runtime.Process!.Size);

        string plain = _execs.Create("web", Sh("true") with { ConsoleSize = new ConsoleSize(24, 80) });
        await _execs.StartAsync(plain, new ExecStartOptions(true));
        Assert.Null(_runtime.Last!.ConsoleSize); // no console without a TTY
    }

    private sealed class FakeProcess : IExecProcess
    {
        public TaskCompletionSource<int> Exit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public (int Rows, int Columns) Size { get; private set; }

        public int Pid => 4242;

        public IContainerStreams? Streams => null;

        public Task<int> Exited => Exit.Task;

        public void Resize(int rows, int columns) => Size = (rows, columns);
    }

    private sealed class FakeRuntime : IExecRuntime
    {
        public ExecProcessRequest? Last { get; private set; }

        public FakeProcess? Process { get; private set; }

        public DaemonException? Failure { get; set; }

        public Task<IExecProcess> StartAsync(ExecProcessRequest request, CancellationToken cancellationToken = default)
        {
            Last = request;
            if (Failure is not null)
            {
                return Task.FromException<IExecProcess>(Failure);
            }
            Process = new FakeProcess();
            return Task.FromResult<IExecProcess>(Process);
        }
    }

    private sealed class FakeContainers : IContainerService
    {
        private static readonly DateTimeOffset Started = DateTimeOffset.UtcNow;

        public ContainerRecord Record { get; private set; } = new()
        {
            Id = ContainerId,
            Name = "web",
            Created = Started,
            Path = "sleep",
            Args = ["100"],
            ImageId = "sha256:" + new string('a', 64),
            Config = new ContainerSettings { User = "app", WorkingDir = "/srv", Image = "busybox" },
            HostConfig = new HostSettings(),
            State = new ContainerState { Status = ContainerStatus.Running, StartedAt = Started },
            ContainerDir = "/nonexistent",
            LogPath = "/nonexistent/log",
        };

        public void SetStatus(ContainerStatus status, DateTimeOffset? startedAt = null) =>
            Record = Record with { State = Record.State with { Status = status, StartedAt = startedAt ?? Record.State.StartedAt } };

        public ContainerRecord Get(string reference) =>
            reference is "web" or ContainerId ? Record : throw DaemonException.NotFound("No such container: " + reference);

        public Task<CreateResult> CreateAsync(CreateRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> StartAsync(string reference, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> StopAsync(string reference, StopOptions options, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task KillAsync(string reference, string? signal, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task RestartAsync(string reference, StopOptions options, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<WaitResult> WaitAsync(string reference, WaitCondition condition, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task RemoveAsync(string reference, bool force, bool removeVolumes, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public void Rename(string reference, string newName) => throw new NotSupportedException();
        public IReadOnlyList<ContainerSummary> List(ContainerListOptions options) => throw new NotSupportedException();
        public ContainerDetails Inspect(string reference) => throw new NotSupportedException();
        public Task<IContainerStreams> AttachAsync(string reference, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ContainerCounts Counts() => throw new NotSupportedException();
        public Berth.Engine.Containers.Logs.ContainerLogTarget GetLogTarget(string reference) => throw new NotSupportedException();
        public void Resize(string reference, int height, int width) => throw new NotSupportedException();
        public void PublishAttachEvent(string reference, string action) => throw new NotSupportedException();
    }
}
