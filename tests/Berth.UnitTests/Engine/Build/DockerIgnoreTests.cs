using Berth.Engine.Build.Context;

namespace Berth.UnitTests.Engine.Build;

public sealed class DockerIgnoreTests
{
    [Theory]
    [InlineData("*.log", "a.log", true)]
    [InlineData("*.log", "dir/a.log", false)]
    [InlineData("**/*.log", "dir/sub/a.log", true)]
    [InlineData("**/*.log", "a.log", true)]
    [InlineData("dir", "dir/sub/file", true)]
    [InlineData("/dir/", "dir/file", true)]
    [InlineData("./dir/../other", "other/x", true)]
    [InlineData("d?r", "dir", true)]
    [InlineData("d?r", "d/r", false)]
    [InlineData("[a-c].txt", "b.txt", true)]
    [InlineData("[a-c].txt", "d.txt", false)]
    [InlineData("file.txt", "fileXtxt", false)]
    [InlineData("dir/**", "dir/a/b", true)]
    public void Patterns(string pattern, string path, bool excluded) =>
        Assert.Equal(excluded, DockerIgnore.Parse(pattern).IsExcluded(path));

    [Fact]
    public void Exceptions_LastMatchWins()
    {
        var ignore = DockerIgnore.Parse("# comment\n*.md\n!README.md\n  \nsecret/\n");
        Assert.True(ignore.IsExcluded("CHANGES.md"));
        Assert.False(ignore.IsExcluded("README.md"));
        Assert.True(ignore.IsExcluded("secret/key"));
        Assert.False(ignore.IsExcluded("src/main.c"));
        Assert.Equal(["*.md", "!README.md", "secret"], DockerIgnore.ReadPatterns("*.md\n! README.md \nsecret/"));
    }
}
