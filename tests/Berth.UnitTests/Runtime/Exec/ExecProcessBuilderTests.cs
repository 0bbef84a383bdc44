using Berth.Engine.Errors;
using Berth.Runtime.Exec;
using Berth.Runtime.Spec;
using Berth.UnitTests.Runtime.Spec;

namespace Berth.UnitTests.Runtime.Exec;

public sealed class ExecProcessBuilderTests
{
    /// <summary>The container's process as the spec builder writes it for `docker run -u app busybox`.</summary>
    private static OciProcess Container() => SpecBuilder.Build(SpecFixtures.Busybox(
        config: c => c with { User = "app", Env = ["A=container", "B=container"], WorkingDir = "/srv" })).Process!;

    private static ExecProcessInput Input(Func<ExecProcessInput, ExecProcessInput>? change = null) =>
        (change ?? (i => i))(new ExecProcessInput
        {
            Args = ["sh", "-c", "echo hi"],
            ContainerEnv = ["A=container", "B=container"],
            Hostname = "0123456789ab",
            PasswdText = SpecFixtures.Passwd,
            GroupText = SpecFixtures.Group,
            CapabilityBoundingSet = SpecFixtures.HostCaps,
        });

    [Fact]
    public void KeepsTheContainersSecurity_TakesTheExecsCommandAndEnvironment()
    {
        OciProcess container = Container();
        OciProcess p = ExecProcessBuilder.Build(container, Input(i => i with { Env = ["B=exec", "C=exec"] }));
        Assert.Equal(["sh", "-c", "echo hi"], p.Args);
        // dockerd: PATH, HOSTNAME, the container's env, then the exec's replacing or appending. No HOME (runc adds it).
        Assert.Equal(["PATH=" + ConfigMerge.DefaultPath, "HOSTNAME=0123456789ab", "A=container", "B=exec", "C=exec"], p.Env);
        Assert.Equal("/", p.Cwd);
        Assert.False(p.Terminal);
        Assert.Null(p.ConsoleSize);
        Assert.Same(container.Capabilities, p.Capabilities);
        Assert.Equal(container.NoNewPrivileges, p.NoNewPrivileges);
        Assert.Equal(container.OomScoreAdj, p.OomScoreAdj);
        Assert.Same(container.User, p.User); // "" keeps the container's identity (uid 1000 here)
        Assert.Equal(1000u, p.User.Uid);
    }

    [Fact]
    public void User_IsResolvedFromTheContainersFiles_WithGroupAdd()
    {
        OciProcess p = ExecProcessBuilder.Build(Container(), Input(i => i with { User = "app", GroupAdd = [4242] }));
        Assert.Equal(1000u, p.User.Uid);
        Assert.Equal(1000u, p.User.Gid);
        Assert.Equal([1000u, 10u, 29u, 4242u], p.User.AdditionalGids);
        // A uid not in passwd is taken as is, with gid 0 (dockerd: uid=1001 gid=0(root)).
        OciProcess numeric = ExecProcessBuilder.Build(Container(), Input(i => i with { User = "1001" }));
        Assert.Equal((1001u, 0u), (numeric.User.Uid, numeric.User.Gid));
        var e = Assert.Throws<DaemonException>(() => ExecProcessBuilder.Build(Container(), Input(i => i with { User = "nosuch" })));
        Assert.Equal("unable to find user nosuch: no matching entries in passwd file", e.Message);
    }

    [Fact]
    public void Tty_WorkingDir_AndPrivileged()
    {
        OciProcess p = ExecProcessBuilder.Build(Container(), Input(i => i with
        {
            Tty = true,
            ConsoleSize = (30, 100),
            WorkingDir = "/tmp",
            Privileged = true,
        }));
        Assert.True(p.Terminal);
        Assert.Equal((30u, 100u), (p.ConsoleSize!.Height, p.ConsoleSize.Width));
        Assert.Contains("TERM=xterm", p.Env);
        Assert.Equal("/tmp", p.Cwd);
        // Privileged: everything the daemon holds (CAP_SYS_RESOURCE is not in this host's set).
        Assert.Equal(SpecFixtures.HostCaps, p.Capabilities!.Bounding);
        Assert.Equal(SpecFixtures.HostCaps, p.Capabilities.Effective);
        Assert.Equal(SpecFixtures.HostCaps, p.Capabilities.Permitted);
        Assert.DoesNotContain("CAP_SYS_RESOURCE", p.Capabilities.Bounding!);
    }
}
