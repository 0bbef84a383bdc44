using Berth.Engine.Containers;
using Berth.Engine.Containers.Logs;

namespace Berth.UnitTests.Engine.Containers.Logs;

public sealed class LogAttributesTests
{
    private static ContainerRecord Record(Dictionary<string, string> logOpts) => new()
    {
        Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        Name = "web",
        Created = DateTimeOffset.UnixEpoch,
        Path = "sh",
        Args = [],
        ImageId = "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
        Config = new ContainerSettings
        {
            Image = "busybox",
            Labels = new Dictionary<string, string> { ["app"] = "shop", ["tier"] = "front end", ["x"] = "1" },
            Env = ["PATH=/bin", "REGION=eu/west", "LEVEL=3"],
        },
        HostConfig = new HostSettings { LogConfig = new LogSettings("json-file", logOpts) },
        ContainerDir = "/d",
        LogPath = "/d/log",
    };

    [Fact]
    public void LabelsEnvAndTag_SortedAndQueryEscaped()
    {
        var record = Record(new Dictionary<string, string>
        {
            ["labels"] = "tier,missing",
            ["labels-regex"] = "^a",
            ["env"] = "REGION",
            ["env-regex"] = "^LEV",
            ["tag"] = "{{.Name}}/{{.ID}}",
        });
        Assert.Equal("LEVEL=3,REGION=eu%2Fwest,app=shop,tag=web%2F0123456789ab,tier=front+end", LogAttributes.Format(record));
    }

    [Fact]
    public void NoOptions_NoAttributes() => Assert.Equal("", LogAttributes.Format(Record(new Dictionary<string, string>())));
}
