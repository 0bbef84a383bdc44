using Berth.Runtime.Monitor;
using Berth.Runtime.Oci;

namespace Berth.UnitTests.Runtime.Monitor;

public sealed class ConmonCommandLineTests
{
    private static readonly RuncRuntime Runc = new("runc", "/usr/sbin/runc", "/run/berth");

    [Fact]
    public void Container_NonTtyWithStdinAndLog()
    {
        List<string> args = ConmonCommandLine.ForContainer("/usr/bin/conmon", Runc, "abc", "/b", "/st", "/run/berth/exits", "/run/berth/s",
            new MonitorCreateOptions { OpenStdin = true, LogPath = "/st/ctr.log" }, 1000);
        Assert.Equal(
            "/usr/bin/conmon --api-version 1 -c abc -u abc -r /usr/sbin/runc --runtime-arg --root=/run/berth/runtime/runc " +
            "--runtime-arg --log-format=json -b /b -n abc -p /st/pidfile --exit-dir /run/berth/exits --persist-dir /st/persist " +
            "--conmon-pidfile /st/conmon.pid --socket-dir-path /run/berth/s -l k8s-file:/st/ctr.log --no-sync-log --log-size-max 1000 -i --leave-stdin-open",
            string.Join(' ', args));
    }

    [Fact]
    public void Container_TtyStdinOnceNoLog()
    {
        List<string> args = ConmonCommandLine.ForContainer("/usr/bin/conmon", Runc, "abc", "/b", "/st", "/e", "/s",
            new MonitorCreateOptions { Tty = true, OpenStdin = true, StdinOnce = true });
        Assert.Contains("-t", args);
        Assert.Contains("-i", args);
        // A TTY's stdin outlives every attach (detach, re-attach), StdinOnce or not, as in dockerd.
        Assert.Contains("--leave-stdin-open", args);
        Assert.Equal("none", args[args.IndexOf("-l") + 1]);
    }

    [Fact]
    public void Container_StdinOnceWithoutTty_LetsConmonCloseStdin()
    {
        List<string> args = ConmonCommandLine.ForContainer("/usr/bin/conmon", Runc, "abc", "/b", "/st", "/e", "/s",
            new MonitorCreateOptions { OpenStdin = true, StdinOnce = true, LogPath = "/st/ctr.log" });
        Assert.Contains("-i", args);
        Assert.DoesNotContain("--leave-stdin-open", args);
    }

    [Fact]
    public void Exec_AttachedHasOwnExitDirAndNoLog()
    {
        List<string> args = ConmonCommandLine.ForExec("/usr/bin/conmon", Runc, "ctr", "ex1", "/st/exec/ex1", "/s",
            new ExecOptions { ProcessJson = "{}", Attach = true, OpenStdin = true, LogPath = "/ignored" });
        string line = string.Join(' ', args);
        Assert.Contains("-c ctr -u ex1", line, StringComparison.Ordinal);
        Assert.Contains("--exit-dir /st/exec/ex1/exits", line, StringComparison.Ordinal);
        Assert.Contains("-e --exec-process-spec /st/exec/ex1/process.json -l none -i --exec-attach", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_NamesThePipes()
    {
        Assert.Contains("_OCI_SYNCPIPE=3", ConmonCommandLine.Environment(false));
        Assert.Contains("_OCI_STARTPIPE=4", ConmonCommandLine.Environment(false));
        Assert.Contains("TZ=UTC", ConmonCommandLine.Environment(false));
        Assert.Contains("_OCI_ATTACHPIPE=5", ConmonCommandLine.Environment(true));
        Assert.DoesNotContain("_OCI_ATTACHPIPE=5", ConmonCommandLine.Environment(false));
    }
}
