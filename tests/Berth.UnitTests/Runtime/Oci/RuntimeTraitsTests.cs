using Berth.Runtime.Monitor;
using Berth.Runtime.Oci;
using Berth.Runtime.Spec;

namespace Berth.UnitTests.Runtime.Oci;

public sealed class RuntimeTraitsTests
{
    private const string CrunVersion = "crun version 1.8.1\ncommit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30\nrundir: /run/crun\nspec: 1.0.0\n+SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +EBPF +YAJL\n";
    private const string RuncVersion = "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4\n";

    [Fact]
    public void Version_output_names_the_implementation_and_spec()
    {
        Assert.Equal(new RuntimeTraits("crun", "1.0.0"), RuntimeTraits.FromVersionOutput(CrunVersion));
        Assert.Equal(new RuntimeTraits("runc", "1.0.2-dev"), RuntimeTraits.FromVersionOutput(RuncVersion));
        Assert.Equal(new RuntimeTraits("", null), RuntimeTraits.FromVersionOutput(""));
        Assert.True(RuntimeTraits.FromVersionOutput(CrunVersion).IsCrun);
    }

    [Fact]
    public void Crun_gets_its_declared_spec_version_and_no_unlimited_pids()
    {
        var spec = new OciSpec { Linux = new OciLinux { Resources = new OciResources { Pids = new OciPids { Limit = -1 } } } };
        RuntimeSpecAdapter.Adapt(spec, RuntimeTraits.FromVersionOutput(CrunVersion));
        Assert.Equal("1.0.0", spec.OciVersion);
        Assert.Null(spec.Linux.Resources.Pids);
    }

    [Fact]
    public void Crun_keeps_a_real_pids_limit_and_an_older_version()
    {
        var spec = new OciSpec { OciVersion = "1.0.0", Linux = new OciLinux { Resources = new OciResources { Pids = new OciPids { Limit = 50 } } } };
        RuntimeSpecAdapter.Adapt(spec, new RuntimeTraits("crun", "1.1.0"));
        Assert.Equal("1.0.0", spec.OciVersion);
        Assert.Equal(50, spec.Linux.Resources.Pids!.Limit);
    }

    [Fact]
    public void Runc_specs_are_untouched()
    {
        var spec = new OciSpec { Linux = new OciLinux { Resources = new OciResources { Pids = new OciPids { Limit = -1 } } } };
        RuntimeSpecAdapter.Adapt(spec, RuntimeTraits.FromVersionOutput(RuncVersion));
        Assert.Equal(OciSpec.Version, spec.OciVersion);
        Assert.Equal(-1, spec.Linux.Resources.Pids!.Limit);
    }

    [Theory]
    [InlineData("1.2.0", "1.0.0", 1)]
    [InlineData("1.0.2-dev", "1.0.2", 0)]
    [InlineData("1.0", "1.0.1", -1)]
    [InlineData("1.10.0", "1.9.9", 1)]
    public void Versions_compare_numerically(string a, string b, int sign) =>
        Assert.Equal(sign, Math.Sign(RuntimeSpecAdapter.CompareVersions(a, b)));

    [Fact]
    public void Only_crun_on_a_hybrid_host_with_cgroup2_controllers_is_launched_with_cgroup2_hidden()
    {
        var crun = new RuntimeTraits("crun", "1.0.0");
        Assert.True(RuntimeLauncher.NeedsHiddenCgroup2(crun, "hugetlb"));
        Assert.False(RuntimeLauncher.NeedsHiddenCgroup2(crun, ""));
        Assert.False(RuntimeLauncher.NeedsHiddenCgroup2(crun, null));
        Assert.False(RuntimeLauncher.NeedsHiddenCgroup2(RuntimeTraits.Runc, "hugetlb"));
    }

    [Fact]
    public void A_launched_runtime_keeps_its_arguments_after_the_binary()
    {
        IReadOnlyList<string> launcher = RuntimeLauncher.HiddenCgroup2("/usr/bin/unshare", "/bin/sh", "/usr/bin/crun");
        var runtime = new RuncRuntime("crun", "/usr/bin/crun", "/run/b", runtimeArgs: ["--debug"], launcher: launcher);
        Assert.Equal("/usr/bin/unshare", runtime.Path);
        Assert.Equal("/usr/bin/crun", runtime.Binary);
        Assert.Equal("/run/b/runtime/crun", runtime.Root);
        Assert.Equal(["--mount", "--propagation", "slave", "--", "/bin/sh", "-c"], runtime.GlobalArguments.Take(6));
        Assert.Equal(["/usr/bin/crun", "--debug", "--root=/run/b/runtime/crun"], runtime.GlobalArguments.Skip(7));

        List<string> conmon = ConmonCommandLine.ForContainer("/usr/bin/conmon", runtime, "id", "/b", "/b/m", "/e", "/s", new MonitorCreateOptions());
        int r = conmon.IndexOf("-r");
        Assert.Equal("/usr/bin/unshare", conmon[r + 1]);
        Assert.Equal("--runtime-arg", conmon[r + 2]);
        Assert.Equal("--mount", conmon[r + 3]);
    }

    [Fact]
    public void Runc_keeps_its_state_root()
    {
        var runc = new RuncRuntime("runc", "/usr/sbin/runc", "/run/b");
        Assert.Equal("/usr/sbin/runc", runc.Path);
        Assert.Equal(["--root=/run/b/runtime/runc"], runc.GlobalArguments);
    }

    [Fact]
    public void Docker_init_is_looked_up_in_libexec_then_on_path()
    {
        var candidates = InitBinary.Candidates("/usr/sbin:relative:/usr/bin").ToList();
        Assert.Equal("/usr/local/libexec/docker/docker-init", candidates[0]);
        Assert.Equal("/usr/libexec/docker/docker-init", candidates[1]);
        Assert.Equal(["/usr/sbin/docker-init", "/usr/bin/docker-init"], candidates.TakeLast(2));
        Assert.DoesNotContain("relative/docker-init", candidates);
    }
}
