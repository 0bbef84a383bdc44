using Berth.Engine.Build;

namespace Berth.UnitTests.Engine.Build;

public sealed class BuildScratchLeftoversTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("berth-unit-buildtmp-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void RemoveLeftovers_DeletesBuildScratchOnly()
    {
        string build = Path.Combine(_root, "build-0123abcd", "context", "sub");
        Directory.CreateDirectory(build);
        File.WriteAllText(Path.Combine(build, "file"), "x");
        Directory.CreateDirectory(Path.Combine(_root, "load-1234"));
        File.WriteAllText(Path.Combine(_root, "build-note"), "a file, not a build directory");

        BuildService.RemoveLeftovers(_root);

        Assert.False(Directory.Exists(Path.Combine(_root, "build-0123abcd")));
        Assert.True(Directory.Exists(Path.Combine(_root, "load-1234")));
        Assert.True(File.Exists(Path.Combine(_root, "build-note")));
    }

    [Fact]
    public void RemoveLeftovers_MissingRoot_IsNothingToDo()
    {
        BuildService.RemoveLeftovers(Path.Combine(_root, "absent"));
        Assert.True(Directory.Exists(_root));
    }
}
