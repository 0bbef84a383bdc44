using Berth.Engine.Errors;
using Berth.Runtime.Spec;

namespace Berth.UnitTests.Runtime.Spec;

public class UserResolverTests
{
    [Theory]
    [InlineData("", 0u, 0u, "10", "/root")]
    [InlineData("root", 0u, 0u, "10", "/root")]
    [InlineData("app", 1000u, 1000u, "10,29", "/home/app")]
    [InlineData("1000", 1000u, 1000u, "10,29", "/home/app")]
    [InlineData("www-data", 33u, 33u, "", "/var/www")]
    [InlineData("app:audio", 1000u, 29u, "", "/home/app")] // explicit group: no supplementary groups
    [InlineData("app:0", 1000u, 0u, "", "/home/app")]
    [InlineData("1000:4000", 1000u, 4000u, "", "/home/app")] // numeric gid need not exist
    [InlineData("5000", 5000u, 0u, "", "/")] // numeric uid need not exist; HOME falls back to /
    [InlineData("5000:5001", 5000u, 5001u, "", "/")]
    [InlineData(":audio", 0u, 29u, "", "/root")]
    public void Resolves(string spec, uint uid, uint gid, string sgids, string home)
    {
        ExecUser u = UserResolver.Resolve(spec, SpecFixtures.Passwd, SpecFixtures.Group);
        Assert.Equal(uid, u.Uid);
        Assert.Equal(gid, u.Gid);
        Assert.Equal(sgids, string.Join(',', u.SupplementaryGids));
        Assert.Equal(home, u.Home);
    }

    [Theory]
    [InlineData("nobody", "unable to find user nobody: no matching entries in passwd file")]
    [InlineData("app:nogroup", "unable to find group nogroup: no matching entries in group file")]
    [InlineData("-1", "uids and gids must be in range 0-2147483647")]
    [InlineData("app:2147483648", "uids and gids must be in range 0-2147483647")]
    public void RejectsWithDockerdText(string spec, string message)
    {
        var e = Assert.Throws<DaemonException>(() => UserResolver.Resolve(spec, SpecFixtures.Passwd, SpecFixtures.Group));
        Assert.Equal(ErrorKind.InvalidParameter, e.Kind);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void NoPasswdFileAllowsNumbersOnly()
    {
        Assert.Equal(7u, UserResolver.Resolve("7:8", null, null).Uid);
        Assert.Throws<DaemonException>(() => UserResolver.Resolve("app", null, null));
    }

    [Fact]
    public void WithUserWritesPrimaryGroupFirstThenMembershipsThenGroupAdd()
    {
        OciSpec spec = SpecFixtures.Apply(
            SpecFixtures.Busybox(h => h with { GroupAdd = [2000] }, c => c with { User = "app" }),
            ProcessMutators.WithUser);
        Assert.Equal("""{"uid":1000,"gid":1000,"additionalGids":[1000,10,29,2000]}""", SpecFixtures.Fragment(spec, "process.user"));
    }
}
