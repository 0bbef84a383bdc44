namespace Berth.IntegrationTests.Harness;

/// <summary>
/// A test class that drives one shared daemon (a class fixture) with the docker CLI: the daemon's
/// log goes to each test's output, and the CLI's temp config and the test's scratch directory are
/// removed afterwards.
/// </summary>
public abstract class CliTestBase<TDaemon> : IDisposable
    where TDaemon : BerthDaemon
{
    private readonly IDisposable _log;
    private string? _scratch;

    protected CliTestBase(TDaemon daemon, ITestOutputHelper output)
    {
        Daemon = daemon;
        _log = daemon.LogTo(output);
        Docker = daemon.Cli(output);
    }

    protected TDaemon Daemon { get; }

    protected DockerCli Docker { get; }

    /// <summary>A temp directory of this test's own (archives, rootfs tars), created on first use.</summary>
    protected string ScratchDir => _scratch ??= Directory.CreateTempSubdirectory("berth-it-scratch-").FullName;

    public void Dispose()
    {
        Docker.Dispose();
        _log.Dispose();
        if (_scratch is not null)
        {
            Directory.Delete(_scratch, recursive: true);
        }
        GC.SuppressFinalize(this);
    }
}
