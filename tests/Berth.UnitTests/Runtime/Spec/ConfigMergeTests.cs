using Berth.Engine.Errors;
using Berth.Runtime.Spec;

namespace Berth.UnitTests.Runtime.Spec;

public class ConfigMergeTests
{
    private static string[]? L(string? s) => s is null ? null : s.Length == 0 ? [] : s.Split(' ');

    [Theory]
    // image entrypoint, image cmd, container entrypoint, container cmd → args
    [InlineData(null, "sh", null, null, "sh")]
    [InlineData(null, "sh", null, "echo hi", "echo hi")]
    [InlineData("/entry.sh", "serve", null, null, "/entry.sh serve")]
    [InlineData("/entry.sh", "serve", null, "debug", "/entry.sh debug")]
    // An explicit container entrypoint drops the image's Cmd.
    [InlineData("/entry.sh", "serve", "/bin/other", null, "/bin/other")]
    [InlineData("/entry.sh", "serve", "/bin/other", "x", "/bin/other x")]
    // Entrypoint [] (explicitly empty) does not inherit the image's; the image Cmd is used.
    [InlineData("/entry.sh", "serve", "", null, "serve")]
    [InlineData(null, "sh", "", "ls", "ls")]
    public void EntrypointAndCmd(string? imgEntry, string? imgCmd, string? entry, string? cmd, string expected)
    {
        List<string> args = ConfigMerge.Args(
            new ImageConfigInput { Entrypoint = L(imgEntry), Cmd = L(imgCmd) },
            new ContainerConfigInput { Entrypoint = L(entry), Cmd = L(cmd) });
        Assert.Equal(expected, string.Join(' ', args));
    }

    [Fact]
    public void EntrypointOfEmptyStringResetsToCmd()
    {
        List<string> args = ConfigMerge.Args(
            new ImageConfigInput { Entrypoint = ["/entry.sh"], Cmd = ["serve"] },
            new ContainerConfigInput { Entrypoint = [""], Cmd = ["ls", "-l"] });
        Assert.Equal(["ls", "-l"], args);
    }

    [Theory]
    [InlineData(null, null, null, null)]
    [InlineData("/entry.sh", "serve", "", null)] // [""] with no Cmd: the image Cmd was dropped
    public void NoCommandIsInvalidParameter(string? imgEntry, string? imgCmd, string? entry, string? cmd)
    {
        var e = Assert.Throws<DaemonException>(() => ConfigMerge.Args(
            new ImageConfigInput { Entrypoint = L(imgEntry), Cmd = L(imgCmd) },
            new ContainerConfigInput { Entrypoint = entry is null ? null : [entry], Cmd = L(cmd) }));
        Assert.Equal(ErrorKind.InvalidParameter, e.Kind);
        Assert.Equal("no command specified", e.Message);
    }

    [Fact]
    public void ContainerEnvWinsAndImageFillsTheRest()
    {
        List<string> merged = ConfigMerge.MergeEnv(["PATH=/img", "A=img", "B=img"], ["A=ctr", "C=ctr"]);
        Assert.Equal(["A=ctr", "C=ctr", "PATH=/img", "B=img"], merged);
    }

    [Fact]
    public void ProcessEnvPutsDefaultsFirstAndLetsEnvOverride()
    {
        List<string> env = ConfigMerge.ProcessEnv(["PATH=/custom", "FOO=1"], "abc", tty: true, home: "/root");
        Assert.Equal(["PATH=/custom", "HOSTNAME=abc", "TERM=xterm", "FOO=1", "HOME=/root"], env);
    }

    [Fact]
    public void ProcessEnvAddsDefaultPathAndKeepsExplicitHome()
    {
        List<string> env = ConfigMerge.ProcessEnv(["HOME=/data"], "h", tty: false, home: "/root");
        Assert.Equal([$"PATH={ConfigMerge.DefaultPath}", "HOSTNAME=h", "HOME=/data"], env);
    }

    [Fact]
    public void BareNameUnsetsADefault()
    {
        List<string> env = ConfigMerge.ProcessEnv(["HOSTNAME", "X=1"], "h", tty: false, home: null);
        Assert.Equal([$"PATH={ConfigMerge.DefaultPath}", "X=1"], env);
    }
}
