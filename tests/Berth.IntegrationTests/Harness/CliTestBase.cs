namespace Berth.IntegrationTests.Harness;

/// <summary>
/// A test class that drives one shared daemon (a class fixture) with the docker CLI: the daemon's
/// log goes to each test's output, and the CLI's temp config is removed afterwards.
/// </summary>
public abstract class CliTestBase<TDaemon> : IDisposable
    where TDaemon : BerthDaemon
{
    private readonly IDisposable _log;

    protected CliTestBase(TDaemon daemon, ITestOutputHelper output)
    {
        Daemon = daemon;
        _log = daemon.LogTo(output);
        Docker = daemon.Cli(output);
    }

    protected TDaemon Daemon { get; }

    protected DockerCli Docker { get; }

    public void Dispose()
    {
        Docker.Dispose();
        _log.Dispose();
        GC.SuppressFinalize(this);
    }
}
