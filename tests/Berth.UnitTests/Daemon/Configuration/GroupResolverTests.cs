using Berth.Daemon.Configuration;

namespace Berth.UnitTests.Daemon.Configuration;

public class GroupResolverTests
{
    private const string Groups = "root:x:0:\nadm:x:4:syslog\r\ndocker:x:998:alice,bob\n\nbroken line\nberth:x:1001:\n";

    [Theory]
    [InlineData("docker", 998)]
    [InlineData("root", 0)]
    [InlineData("adm", 4)]
    [InlineData("berth", 1001)]
    [InlineData("4242", 4242)] // numbers work even without an entry, like moby's lookupGID
    public void Finds_gid(string name, int gid) => Assert.Equal(gid, GroupResolver.FindGid(Groups, name));

    [Fact]
    public void Unknown_name_is_null() => Assert.Null(GroupResolver.FindGid(Groups, "nosuch"));

    [Fact]
    public void Default_group_falls_back_to_root_when_missing()
    {
        Assert.Equal(998, GroupResolver.ResolveSocketGroup(Groups, null, out string? e1));
        Assert.Null(e1);
        Assert.Equal(0, GroupResolver.ResolveSocketGroup("root:x:0:\n", null, out string? e2));
        Assert.Null(e2);
    }

    [Fact]
    public void Named_group_must_exist()
    {
        Assert.Null(GroupResolver.ResolveSocketGroup(Groups, "nosuch", out string? error));
        Assert.Equal("group nosuch not found", error);
    }
}
