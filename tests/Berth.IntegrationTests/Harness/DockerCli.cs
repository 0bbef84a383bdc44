namespace Berth.IntegrationTests.Harness;

/// <summary>
/// Runs the real docker CLI (/usr/local/bin/docker, 28.x) against one daemon, with an isolated
/// DOCKER_CONFIG and none of the caller's DOCKER_* variables. Every run is logged to the test
/// output when one is attached, so a failing assertion shows the command and both streams.
/// </summary>
public sealed class DockerCli : IDisposable
{
    public const string DefaultPath = "/usr/local/bin/docker";

    private static readonly string[] InheritedDockerVariables =
        ["DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_API_VERSION", "DOCKER_TLS", "DOCKER_DEFAULT_PLATFORM", "DOCKER_BUILDKIT"];

    private readonly ITestOutputHelper? _output;

    /// <param name="host">"unix:///path" or "tcp://host:port"; null passes no host (give -H yourself).</param>
    /// <param name="viaEnvironment">Pass the host as DOCKER_HOST instead of a leading -H flag.</param>
    public DockerCli(string? host, ITestOutputHelper? output = null, bool viaEnvironment = false)
    {
        Host = host;
        _output = output;
        ViaEnvironment = viaEnvironment;
        ConfigDir = Directory.CreateTempSubdirectory("berth-it-dockercfg-").FullName;
    }

    public string? Host { get; }

    public bool ViaEnvironment { get; }

    /// <summary>The isolated DOCKER_CONFIG directory (removed on Dispose).</summary>
    public string ConfigDir { get; }

    public string Executable { get; init; } = DefaultPath;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Extra environment for every run (null value removes a variable).</summary>
    public Dictionary<string, string?> Environment { get; } = new(StringComparer.Ordinal);

    public Task<ProcessResult> RunAsync(params string[] args) => RunCoreAsync(args, stdin: null, Timeout);

    public Task<ProcessResult> RunWithInputAsync(string stdin, params string[] args) => RunCoreAsync(args, stdin, Timeout);

    public Task<ProcessResult> RunWithTimeoutAsync(TimeSpan timeout, params string[] args) => RunCoreAsync(args, stdin: null, timeout);

    /// <summary>Runs and throws (with both streams) unless the exit code is 0; returns stdout.</summary>
    public async Task<string> RunOkAsync(params string[] args) => (await RunAsync(args)).EnsureSuccess().Stdout;

    private async Task<ProcessResult> RunCoreAsync(IReadOnlyList<string> args, string? stdin, TimeSpan timeout)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in InheritedDockerVariables)
        {
            env[name] = null;
        }
        env["DOCKER_CONFIG"] = ConfigDir;
        env["DOCKER_CLI_HINTS"] = "false";
        env["NO_COLOR"] = "1";
        var fullArgs = new List<string>();
        if (Host is not null)
        {
            if (ViaEnvironment)
            {
                env["DOCKER_HOST"] = Host;
            }
            else
            {
                fullArgs.Add("-H");
                fullArgs.Add(Host);
            }
        }
        fullArgs.AddRange(args);
        foreach (var (k, v) in Environment)
        {
            env[k] = v;
        }
        var result = await ProcessRunner.RunAsync(Executable, fullArgs, stdin, env, timeout);
        TryLog(result.ToString());
        return result;
    }

    private void TryLog(string text)
    {
        try
        {
            _output?.WriteLine(text);
        }
        catch (InvalidOperationException)
        {
            // The test that owned the helper has already finished.
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(ConfigDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
