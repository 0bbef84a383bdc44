using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docker.DotNet;

namespace Berth.IntegrationTests.Harness;

/// <summary>How a <see cref="BerthDaemon"/> is started. Every property has a safe default.</summary>
public sealed class BerthDaemonOptions
{
    /// <summary>Flags appended after the harness's own (e.g. "--label", "a=b", "-H", "tcp://…").</summary>
    public List<string> ExtraArgs { get; init; } = [];

    /// <summary>Body written to the daemon's --config-file before each start; null writes no file.</summary>
    public string? DaemonJson { get; init; } = "{}";

    /// <summary>
    /// Harness flags to leave out, by long name ("--data-root", "--config-file", "--host" …),
    /// for tests that set them in daemon.json or point them elsewhere.
    /// </summary>
    public HashSet<string> OmitFlags { get; init; } = new(StringComparer.Ordinal);

    /// <summary>How long StartAsync waits for GET /_ping to answer 200.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long StopAsync waits after SIGTERM before it sends SIGKILL.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Split size of the daemon's /24 address pool. 24 gives one subnet (the default bridge takes
    /// it); network tests pass e.g. 26 so user networks fit inside the daemon's own range.
    /// </summary>
    public int AddressPoolSize { get; init; } = 24;

    /// <summary>
    /// Starts berthd with SIGINT ignored, as a shell without job control starts background commands
    /// (CI runners often do).
    /// </summary>
    public bool SigintIgnored { get; init; }

    /// <summary>Extra environment for the daemon process (null value removes a variable).</summary>
    public Dictionary<string, string?> Environment { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>How one daemon process ended when the test expected it to end by itself.</summary>
public sealed record DaemonExit(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalMilliseconds:F0} ms\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Thrown when berthd does not come up (or does not go down) as expected; carries its log.</summary>
public sealed class BerthDaemonException(string message) : Exception(message);

/// <summary>
/// One real berthd child process with its own temp root, socket, data-root, exec-root, pidfile,
/// config file and unique resource names (cgroup parent, bridge, iptables chain prefix, /24 pool),
/// so any number of daemons run side by side. Use as an xunit class fixture (started in
/// InitializeAsync) or directly in a test (<see cref="StartNewAsync"/>, then await using).
/// Runs `dotnet &lt;testdir&gt;/berthd/berthd.dll`, or the executable named by $BERTHD (NativeAOT).
/// </summary>
public class BerthDaemon : IAsyncLifetime, IAsyncDisposable
{
    public const string RootPrefix = "/tmp/berth-it-";

    private static int s_counter;

    private readonly BerthDaemonOptions _options;
    private readonly ITestOutputHelper? _output;
    private readonly Lock _logLock = new();
    private readonly StringBuilder _log = new();
    private StringBuilder _stdout = new();
    private StringBuilder _stderr = new();
    private Process? _process;
    private int _starts;
    private bool _disposed;

    /// <summary>For xunit class fixtures; subclass to pass options (xunit needs a parameterless constructor).</summary>
    public BerthDaemon()
        : this(null, null)
    {
    }

    /// <param name="output">When given, the daemon's whole log is written to it on dispose.</param>
    /// <remarks>Protected: xunit requires a fixture to have exactly one public constructor. Use <see cref="Create"/>.</remarks>
    protected BerthDaemon(BerthDaemonOptions? options, ITestOutputHelper? output = null)
    {
        _options = options ?? new BerthDaemonOptions();
        _output = output;
        // 7 hex digits: "BIT" + id fits berthd's 10-character iptables chain prefix limit.
        Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))[..7];
        Root = RootPrefix + Id;
        Directory.CreateDirectory(Root);
        SocketPath = Path.Combine(Root, "berth.sock");
        DataRoot = Path.Combine(Root, "data");
        ExecRoot = Path.Combine(Root, "exec");
        PidFile = Path.Combine(Root, "berthd.pid");
        ConfigFile = Path.Combine(Root, "daemon.json");
        CgroupParent = "/berth-it-" + Id;
        BridgeName = "bit" + Id;
        ChainPrefix = "BIT" + Id.ToUpperInvariant();
        // A /24 no route on the host covers (a bridge left by something else would make berthd
        // refuse its default pool and exit).
        int slot;
        do
        {
            int n = Interlocked.Increment(ref s_counter);
            slot = ((Environment.ProcessId % 997) * 61 + n) % (56 * 256);
        }
        while (HostRoutes.Overlaps(0x0A000000u | ((uint)(200 + (slot / 256)) << 16) | ((uint)(slot % 256) << 8), 24));
        AddressPool = $"10.{200 + (slot / 256)}.{slot % 256}.0/24";
    }

    /// <summary>7 lowercase hex characters, unique per daemon; every name below derives from it.</summary>
    public string Id { get; }

    /// <summary>/tmp/berth-it-&lt;id&gt;; removed on dispose.</summary>
    public string Root { get; }

    public string SocketPath { get; }

    public string DataRoot { get; }

    public string ExecRoot { get; }

    public string PidFile { get; }

    public string ConfigFile { get; }

    public string CgroupParent { get; }

    /// <summary>"bit" + id: 10 characters, within the 15-character Linux interface name limit.</summary>
    public string BridgeName { get; }

    /// <summary>"BIT" + upper-case id: 10 characters, berthd's limit for --iptables-chain-prefix.</summary>
    public string ChainPrefix { get; }

    /// <summary>A /24 from 10.200.0.0–10.255.255.0, passed as --default-address-pool base=…,size=24.</summary>
    public string AddressPool { get; }

    /// <summary>"unix:///tmp/berth-it-…/berth.sock".</summary>
    public string Host => "unix://" + SocketPath;

    public BerthDaemonOptions Options => _options;

    /// <summary>The arguments of the latest start (without the "dotnet berthd.dll" prefix).</summary>
    public IReadOnlyList<string> Arguments { get; private set; } = [];

    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Exit code of the latest process once it ended, else null.</summary>
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>Everything every start of this daemon wrote (stdout and stderr interleaved, with start markers).</summary>
    public string Logs
    {
        get
        {
            lock (_logLock)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Stdout of the latest start only.</summary>
    public string Stdout
    {
        get
        {
            lock (_logLock)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Stderr (the daemon's log) of the latest start only.</summary>
    public string Stderr
    {
        get
        {
            lock (_logLock)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Creates a per-test daemon without starting it (then StartAsync, Launch or RunToExitAsync).</summary>
    /// <param name="output">When given, the daemon's whole log is written to it on dispose.</param>
    public static BerthDaemon Create(BerthDaemonOptions? options = null, ITestOutputHelper? output = null) => new(options, output);

    /// <summary>Creates and starts a per-test daemon; its log goes to <paramref name="output"/> on dispose.</summary>
    public static async Task<BerthDaemon> StartNewAsync(ITestOutputHelper? output, BerthDaemonOptions? options = null)
    {
        var daemon = new BerthDaemon(options, output);
        try
        {
            await daemon.StartAsync();
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    /// <summary>The berthd command: ($BERTHD) or (dotnet, berthd.dll beside the tests).</summary>
    public static (string FileName, IReadOnlyList<string> PrefixArgs) ResolveExecutable()
    {
        string? custom = Environment.GetEnvironmentVariable("BERTHD");
        if (!string.IsNullOrEmpty(custom))
        {
            if (!File.Exists(custom))
            {
                throw new BerthDaemonException($"BERTHD={custom} does not exist");
            }
            return (custom, []);
        }
        string dll = Path.Combine(AppContext.BaseDirectory, "berthd", "berthd.dll");
        if (!File.Exists(dll))
        {
            throw new BerthDaemonException($"{dll} not found: build tests/Berth.IntegrationTests (it copies the daemon's output there) or set BERTHD");
        }
        return (DotnetHost(), [dll]);
    }

    /// <summary>Runs `berthd --version` and returns the version word ("0.1.0").</summary>
    public static async Task<string> GetBinaryVersionAsync()
    {
        var (file, prefix) = ResolveExecutable();
        var result = (await ProcessRunner.RunAsync(file, [.. prefix, "--version"])).EnsureSuccess();
        // "Berth version 0.1.0, build abc123"
        var words = result.Stdout.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int at = Array.IndexOf(words, "version");
        if (at < 0 || at + 1 >= words.Length)
        {
            throw new BerthDaemonException($"unexpected --version output: {result.Stdout}");
        }
        return words[at + 1].TrimEnd(',');
    }

    /// <summary>The flags the harness passes (before <see cref="BerthDaemonOptions.ExtraArgs"/>).</summary>
    public IReadOnlyList<string> HarnessArgs()
    {
        var args = new List<string>();
        void Add(string flag, string value)
        {
            if (!_options.OmitFlags.Contains(flag))
            {
                args.Add(flag);
                args.Add(value);
            }
        }
        Add("--host", Host);
        Add("--config-file", ConfigFile);
        Add("--data-root", DataRoot);
        Add("--exec-root", ExecRoot);
        Add("--pidfile", PidFile);
        Add("--cgroup-parent", CgroupParent);
        Add("--bridge", BridgeName);
        Add("--default-address-pool", $"base={AddressPool},size={_options.AddressPoolSize}");
        Add("--iptables-chain-prefix", ChainPrefix);
        return args;
    }

    Task IAsyncLifetime.InitializeAsync() => StartAsync();

    /// <summary>Starts the process and waits (polling, with a deadline) until GET /_ping answers 200.</summary>
    public async Task StartAsync()
    {
        Launch();
        await WaitUntilReadyAsync();
    }

    /// <summary>Starts the process without waiting for it to be ready (for daemons expected to fail).</summary>
    public void Launch()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsRunning)
        {
            throw new InvalidOperationException($"berthd {Id} is already running (pid {_process!.Id})");
        }
        _process?.Dispose();
        if (_options.DaemonJson is not null)
        {
            File.WriteAllText(ConfigFile, _options.DaemonJson);
        }
        var (file, prefix) = ResolveExecutable();
        if (_options.SigintIgnored)
        {
            // exec keeps the pid, so signals from the test still reach berthd itself.
            prefix = ["-c", "trap '' INT; exec \"$@\"", "berthd", file, .. prefix];
            file = "/bin/sh";
        }
        Arguments = [.. HarnessArgs(), .. _options.ExtraArgs];
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = Root,
        };
        foreach (var a in prefix.Concat(Arguments))
        {
            psi.ArgumentList.Add(a);
        }
        // The daemon must not inherit a client-side docker setup of the developer's shell.
        psi.Environment.Remove("DOCKER_HOST");
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (k, v) in _options.Environment)
        {
            if (v is null)
            {
                psi.Environment.Remove(k);
            }
            else
            {
                psi.Environment[k] = v;
            }
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        int start = ++_starts;
        lock (_logLock)
        {
            _stdout = stdout;
            _stderr = stderr;
            _log.Append(CultureInfo.InvariantCulture, $"=== berthd {Id} start #{start}: {file} {string.Join(' ', prefix.Concat(Arguments))}\n");
        }
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(stdout, "out", e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, "err", e.Data);
        process.Exited += (_, _) =>
        {
            lock (_logLock)
            {
                _log.Append(CultureInfo.InvariantCulture, $"=== berthd {Id} start #{start} exited\n");
            }
        };
        if (!process.Start())
        {
            throw new BerthDaemonException($"could not start {file}");
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    private void Append(StringBuilder stream, string tag, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_logLock)
        {
            stream.Append(line).Append('\n');
            _log.Append(tag).Append("| ").Append(line).Append('\n');
        }
    }

    /// <summary>Polls GET /_ping until 200; fails fast (with the log) if the process exits first.</summary>
    public async Task WaitUntilReadyAsync()
    {
        var process = _process ?? throw new InvalidOperationException("not launched");
        var deadline = DateTime.UtcNow + _options.StartTimeout;
        using var http = new RawHttp(SocketPath, TimeSpan.FromSeconds(5));
        string last = "no attempt yet";
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                throw new BerthDaemonException($"berthd {Id} exited with code {process.ExitCode} before answering GET /_ping\n{Logs}");
            }
            if (File.Exists(SocketPath))
            {
                try
                {
                    var ping = await http.GetAsync("/_ping");
                    if (ping.StatusCode == 200)
                    {
                        return;
                    }
                    last = $"HTTP {ping.StatusCode}: {ping.Body}";
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or System.Net.Sockets.SocketException)
                {
                    last = e.Message;
                }
            }
            else
            {
                last = $"{SocketPath} does not exist yet";
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new BerthDaemonException($"berthd {Id} did not answer GET /_ping within {_options.StartTimeout.TotalSeconds:F0}s (last: {last})\n{Logs}");
            }
            await Task.Delay(Poll.DefaultInterval);
        }
    }

    /// <summary>Waits for the process to end by itself; on timeout stops it and throws with the log.</summary>
    public async Task<DaemonExit> WaitForExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException("not launched");
        var watch = Stopwatch.StartNew();
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                await StopAsync();
                throw new BerthDaemonException($"berthd {Id} was expected to exit within {timeout.TotalSeconds:F0}s but kept running\n{Logs}");
            }
        }
        // The parameterless wait drains the redirected streams.
        await process.WaitForExitAsync();
        return new DaemonExit(process.ExitCode, Stdout, Stderr, watch.Elapsed);
    }

    /// <summary>Launch, then wait for the process to exit by itself (config errors, --validate, lock conflicts).</summary>
    public async Task<DaemonExit> RunToExitAsync(TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        Launch();
        var exit = await WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(30));
        return exit with { Elapsed = watch.Elapsed };
    }

    /// <summary>Sends a signal (Native.SIGHUP, …) to the daemon process this fixture started.</summary>
    public void Signal(int signal)
    {
        var process = _process is { HasExited: false } p ? p : throw new InvalidOperationException($"berthd {Id} is not running");
        Native.Kill(process.Id, signal);
    }

    /// <summary>SIGTERM, wait up to <paramref name="timeout"/>, then SIGKILL. Returns the exit code (137-ish after SIGKILL).</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        var process = _process;
        if (process is null)
        {
            return 0;
        }
        if (!process.HasExited)
        {
            try
            {
                Native.Kill(process.Id, Native.SIGTERM);
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the signal.
            }
            using var cts = new CancellationTokenSource(timeout ?? _options.StopTimeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_logLock)
                {
                    _log.Append(CultureInfo.InvariantCulture, $"=== harness: berthd {Id} ignored SIGTERM for {(timeout ?? _options.StopTimeout).TotalSeconds:F0}s, sending SIGKILL\n");
                }
                process.Kill(entireProcessTree: false);
            }
        }
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    /// <summary>SIGKILL (a crash): no cleanup runs, so the socket and pidfile stay behind.</summary>
    public void KillHard()
    {
        var process = _process ?? throw new InvalidOperationException("not launched");
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: false);
        }
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            throw new BerthDaemonException($"berthd {Id} (pid {process.Id}) survived SIGKILL for 20s");
        }
        process.WaitForExit();
    }

    /// <summary>Stops the daemon if it runs, then starts it again on the same roots and socket.</summary>
    public async Task RestartAsync()
    {
        if (IsRunning)
        {
            await StopAsync();
        }
        await StartAsync();
    }

    /// <summary>
    /// The pidfile's content. berthd holds an exclusive flock on it; reading works because the test
    /// assembly sets System.IO.DisableFileLocking (see the csproj), as cat would read it.
    /// </summary>
    public string ReadPidFile()
    {
        using var stream = new FileStream(PidFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Trim();
    }

    /// <summary>Overwrites the config file (e.g. before a SIGHUP reload).</summary>
    public void WriteDaemonJson(string json) => File.WriteAllText(ConfigFile, json);

    /// <summary>A docker CLI bound to this daemon's socket; dispose it.</summary>
    public DockerCli Cli(ITestOutputHelper? output = null) => new(Host, output);

    /// <summary>Raw HTTP over this daemon's socket; dispose it.</summary>
    public RawHttp Http() => new(SocketPath);

    /// <summary>A Docker.DotNet client for this daemon; null version lets the library choose.</summary>
    public DockerClient CreateClient(Version? apiVersion = null) => DockerClients.Create(Host, apiVersion);

    /// <summary>GET /info, parsed.</summary>
    public async Task<JsonElement> InfoAsync()
    {
        using var http = Http();
        var response = await http.GetAsync("/info");
        if (response.StatusCode != 200)
        {
            throw new BerthDaemonException($"GET /info answered {response}\n{Logs}");
        }
        return response.Json();
    }

    /// <summary>
    /// Writes the log produced from now until the returned scope is disposed to
    /// <paramref name="output"/>; a class-fixture test calls it in its constructor and disposes
    /// it in Dispose, so a failing test shows what the shared daemon logged meanwhile.
    /// </summary>
    public IDisposable LogTo(ITestOutputHelper output)
    {
        int from;
        lock (_logLock)
        {
            from = _log.Length;
        }
        return new LogScope(this, output, from);
    }

    private sealed class LogScope(BerthDaemon daemon, ITestOutputHelper output, int from) : IDisposable
    {
        public void Dispose()
        {
            string text;
            lock (daemon._logLock)
            {
                text = daemon._log.ToString(from, daemon._log.Length - from);
            }
            WriteSafe(output, $"--- berthd {daemon.Id} log during this test ---\n{text}");
        }
    }

    private static void WriteSafe(ITestOutputHelper? output, string text)
    {
        try
        {
            output?.WriteLine(text);
        }
        catch (InvalidOperationException)
        {
            // No test is active any more.
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the daemon (SIGTERM, then SIGKILL), keeps its log, removes the temp root.</summary>
    public virtual async Task DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            await StopAsync();
        }
        finally
        {
            _process?.Dispose();
            RemoveNetworkLeftovers();
            WriteSafe(_output, $"--- berthd {Id} log ---\n{Logs}");
            SaveLog();
            DeleteRoot();
        }
    }

    /// <summary>Every daemon's log also lands in &lt;testdir&gt;/berth-logs/&lt;id&gt;.log for CI artifacts.</summary>
    private void SaveLog()
    {
        try
        {
            string dir = Path.Combine(AppContext.BaseDirectory, "berth-logs");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, Id + ".log"), Logs);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>berthd keeps its bridges and chains on shutdown; the test host must not collect them.</summary>
    private void RemoveNetworkLeftovers()
    {
        try
        {
            NetworkLeftovers.RemoveAll(BridgeName, ChainPrefix, ExecRoot);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            WriteSafe(_output, $"harness: could not remove network leftovers of {Id}: {e.Message}");
        }
    }

    private void DeleteRoot()
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(Root))
                {
                    Directory.Delete(Root, recursive: true);
                }
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (attempt == 2)
                {
                    WriteSafe(_output, $"harness: could not remove {Root}: {e.Message}");
                }
            }
        }
    }

    private static string DotnetHost()
    {
        string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }
        // <dotnet root>/shared/Microsoft.NETCore.App/<version>/ → <dotnet root>/dotnet
        string runtimeDir = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        string candidate = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", "..", "dotnet"));
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
