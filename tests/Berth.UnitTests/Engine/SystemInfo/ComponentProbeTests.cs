using Berth.Engine.SystemInfo;

namespace Berth.UnitTests.Engine.SystemInfo;

public class ComponentProbeTests
{
    [Fact]
    public void ParsesRuncVersionOutput()
    {
        const string output = "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4\n";
        var c = ComponentProbe.ParseVersionOutput("runc", output);
        Assert.Equal("runc", c.Name);
        Assert.Equal("1.1.5+ds1", c.Version);
        Assert.Equal("1.1.5+ds1-1+deb12u1", c.Details["GitCommit"]);
    }

    [Fact]
    public void ParsesConmonVersionOutput()
    {
        var c = ComponentProbe.ParseVersionOutput("conmon", "conmon version 2.1.6\ncommit: unknown\n");
        Assert.Equal("2.1.6", c.Version);
        Assert.Equal("unknown", c.Details["GitCommit"]);
    }

    [Fact]
    public void UnparseableOutputIsUnknownNotAnError()
    {
        var c = ComponentProbe.ParseVersionOutput("crun", "");
        Assert.Equal("unknown", c.Version);
    }
}
