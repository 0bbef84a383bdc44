using System.Diagnostics;
using System.Text.Json.Nodes;
using Berth.Linux;
using Berth.Runtime.Cgroups;
using Berth.Runtime.Monitor;
using Berth.Runtime.Oci;

namespace Berth.IntegrationTests.Runtime;

/// <summary>
/// Real runc + conmon under a private scratch dir, runtime root and cgroup prefix. Dispose
/// removes every container, conmon, cgroup dir and file it made, also after failed tests.
/// </summary>
public sealed class RuntimeFixture : IDisposable
{
    private readonly JsonObject _template;
    private readonly List<(int Pid, string Id)> _conmons = [];

    public RuntimeFixture()
    {
        Available = File.Exists("/usr/bin/conmon") && File.Exists("/usr/sbin/runc") && File.Exists("/bin/busybox") && Libc.GetPid() > 0
            && Environment.UserName == "root";
        string tag = Guid.NewGuid().ToString("N")[..8];
        Root = Path.Combine("/tmp", "bit-" + tag); // short: attach socket paths must stay under 108 bytes
        ExecRoot = Path.Combine(Root, "run");
        CgroupPrefix = "/berth-it-" + tag;
        Directory.CreateDirectory(ExecRoot);
        string rootfs = Path.Combine(Root, "rootfs");
        foreach (string d in new[] { "bin", "proc", "dev", "sys", "tmp", "etc" })
        {
            Directory.CreateDirectory(Path.Combine(rootfs, d));
        }
        File.Copy("/bin/busybox", Path.Combine(rootfs, "bin", "busybox"));
        foreach (string applet in new[] { "sh", "echo", "cat", "sleep", "true", "ls", "head" })
        {
            File.CreateSymbolicLink(Path.Combine(rootfs, "bin", applet), "busybox");
        }
        Rootfs = rootfs;
        _template = RuncSpecTemplate(Root);
        Runtime = new RuncRuntime("runc", "/usr/sbin/runc", ExecRoot);
        Monitor = new ConmonMonitor(Runtime, new ConmonMonitorOptions { ExecRoot = ExecRoot });
    }

    public bool Available { get; }

    public string Root { get; }

    public string ExecRoot { get; }

    public string Rootfs { get; }

    public string CgroupPrefix { get; }

    public RuncRuntime Runtime { get; }

    public ConmonMonitor Monitor { get; private set; }

    public string MonitorCgroup => CgroupPrefix + "/conmon";

    /// <summary>Drops the in-memory monitor and builds a new one over the same dirs, as a restarted daemon would.</summary>
    public ConmonMonitor NewMonitor()
    {
        Monitor.Dispose();
        Monitor = new ConmonMonitor(new RuncRuntime("runc", "/usr/sbin/runc", ExecRoot), new ConmonMonitorOptions { ExecRoot = ExecRoot });
        return Monitor;
    }

    /// <summary>A bundle + state dir for a new container running <paramref name="args"/>.</summary>
    public (string Id, string Bundle, string State, MonitorCreateOptions Options) NewContainer(string[] args, bool tty = false, bool stdin = false, bool log = true)
    {
        string id = "c" + Guid.NewGuid().ToString("N")[..10];
        string bundle = Path.Combine(Root, "b", id);
        string state = Path.Combine(Root, "st", id);
        Directory.CreateDirectory(bundle);
        Directory.CreateDirectory(state);
        var config = (JsonObject)_template.DeepClone();
        var process = (JsonObject)config["process"]!;
        process["terminal"] = tty;
        process["args"] = new JsonArray(args.Select(a => (JsonNode)JsonValue.Create(a)).ToArray());
        process["env"] = new JsonArray("PATH=/bin", "TERM=xterm");
        config["root"] = new JsonObject { ["path"] = Rootfs, ["readonly"] = true };
        config["hostname"] = "bb";
        string cgroup = $"{CgroupPrefix}/{id}";
        ((JsonObject)config["linux"]!)["cgroupsPath"] = cgroup;
        File.WriteAllText(Path.Combine(bundle, "config.json"), config.ToJsonString());
        var options = new MonitorCreateOptions
        {
            Tty = tty,
            OpenStdin = stdin,
            StdinOnce = true,
            LogPath = log ? Path.Combine(state, "ctr.log") : null,
            MonitorCgroup = MonitorCgroup,
            ContainerCgroup = cgroup,
        };
        return (id, bundle, state, options);
    }

    public string ProcessJson(string[] args, bool tty = false)
    {
        var process = (JsonObject)_template["process"]!.DeepClone();
        process["terminal"] = tty;
        process["args"] = new JsonArray(args.Select(a => (JsonNode)JsonValue.Create(a)).ToArray());
        process["env"] = new JsonArray("PATH=/bin");
        return process.ToJsonString();
    }

    public void Track(MonitoredContainer c)
    {
        lock (_conmons)
        {
            _conmons.Add((c.ConmonPid, c.Id));
        }
    }

    public void Dispose()
    {
        Monitor.Dispose();
        foreach (string id in RunRunc("list", "-q").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            _ = RunRunc("delete", "-f", id.Trim());
        }
        foreach ((int pid, string id) in _conmons)
        {
            if (ConmonMonitor.IsMonitorAlive(pid, id))
            {
                _ = Libc.Kill(pid, Libc.SIGKILL);
            }
        }
        Thread.Sleep(50);
        CgroupFs.RemoveTree(CgroupPrefix);
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string RunRunc(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/sbin/runc") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("--root=" + Runtime.Root);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    private static JsonObject RuncSpecTemplate(string dir)
    {
        string specDir = Path.Combine(dir, "spec");
        Directory.CreateDirectory(specDir);
        var psi = new ProcessStartInfo("/usr/sbin/runc", "spec") { WorkingDirectory = specDir };
        using (var p = Process.Start(psi)!)
        {
            p.WaitForExit();
        }
        return (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(specDir, "config.json")))!;
    }
}

[CollectionDefinition(Name)]
public sealed class RuntimeTestGroup : ICollectionFixture<RuntimeFixture>
{
    public const string Name = "runtime";
}
