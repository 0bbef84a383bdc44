using Berth.Engine.Errors;
using Berth.Engine.Filters;

namespace Berth.UnitTests.Engine.Filters;

public class FilterArgsTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{}")]
    public void EmptyInputsMeanNoFilters(string? json)
    {
        var args = FilterArgs.Parse(json);
        Assert.Equal(0, args.Count);
        Assert.True(args.ExactMatch("type", "anything"));
    }

    [Fact]
    public void ParsesMapForm()
    {
        var args = FilterArgs.Parse("""{"type":{"container":true,"image":true},"event":{"start":true}}""");
        Assert.Equal(2, args.Count);
        Assert.Equal(["container", "image"], args.Values("type").Order());
        Assert.True(args.ExactMatch("type", "image"));
        Assert.False(args.ExactMatch("type", "network"));
    }

    [Fact]
    public void ParsesLegacyArrayForm()
    {
        var args = FilterArgs.Parse("""{"type":["container","image"],"label":["a=b"]}""");
        Assert.Equal(["container", "image"], args.Values("type").Order());
        Assert.True(args.ExactMatch("type", "container"));
        Assert.Equal(["a=b"], args.Values("label"));
    }

    [Fact]
    public void FalseValueIsListedButNeverMatches()
    {
        var args = FilterArgs.Parse("""{"type":{"container":false}}""");
        Assert.True(args.Contains("type"));
        Assert.Equal(["container"], args.Values("type"));
        Assert.False(args.ExactMatch("type", "container"));
    }

    [Fact]
    public void KeyWithNoValuesIsContainedAndMatchesEverything()
    {
        var args = FilterArgs.Parse("""{"type":{}}""");
        Assert.True(args.Contains("type"));
        Assert.Empty(args.Values("type"));
        Assert.True(args.ExactMatch("type", "x"));
        Assert.True(args.FuzzyMatch("type", "x"));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("\"type\"")]
    [InlineData("""{"type":"container"}""")]
    [InlineData("""{"type":{"container":"yes"}}""")]
    [InlineData("""{"type":[1]}""")]
    [InlineData("""{"type":{"container":true},"event":["start"]}""")]
    public void InvalidInputIsDockerdsInvalidFilter(string json)
    {
        var error = Assert.Throws<DaemonException>(() => FilterArgs.Parse(json));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal("invalid filter", error.Message);
    }

    [Fact]
    public void RepeatedKeyKeepsTheLastOne()
    {
        var args = FilterArgs.Parse("""{"type":{"a":true},"type":{"b":true}}""");
        Assert.Equal(["b"], args.Values("type"));
    }

    [Theory]
    [InlineData("abc", "abc123", true)]
    [InlineData("abc", "abc", true)]
    [InlineData("abc", "xabc", false)]
    [InlineData("exec_start", "exec_start: sh -c true", true)]
    public void FuzzyMatchIsExactOrPrefix(string value, string source, bool expected)
    {
        var args = new FilterArgs().Add("k", value);
        Assert.Equal(expected, args.FuzzyMatch("k", source));
    }

    [Fact]
    public void AbsentKeyMatchesEverything()
    {
        var args = new FilterArgs().Add("other", "x");
        Assert.True(args.ExactMatch("k", "y"));
        Assert.True(args.FuzzyMatch("k", "y"));
        Assert.True(args.Match("k", "y"));
        Assert.True(args.MatchKVList("k", null));
        Assert.False(args.Contains("k"));
    }

    [Theory]
    [InlineData(new[] { "app" }, true)]
    [InlineData(new[] { "app=web" }, true)]
    [InlineData(new[] { "app=db" }, false)]
    [InlineData(new[] { "app=" }, false)]
    [InlineData(new[] { "empty=" }, true)]
    [InlineData(new[] { "app", "tier=front" }, true)]
    [InlineData(new[] { "app", "missing" }, false)]
    [InlineData(new[] { "url=a=b" }, true)]
    public void MatchKVListNeedsEveryLabel(string[] values, bool expected)
    {
        var args = new FilterArgs();
        foreach (var v in values)
        {
            args.Add("label", v);
        }
        var labels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front", ["empty"] = "", ["url"] = "a=b" };
        Assert.Equal(expected, args.MatchKVList("label", labels));
    }

    [Fact]
    public void MatchKVListWithNoSourceFails()
    {
        var args = new FilterArgs().Add("label", "a");
        Assert.False(args.MatchKVList("label", new Dictionary<string, string>()));
        Assert.False(args.MatchKVList("label", null));
    }

    [Fact]
    public void ValidateRejectsUnknownKeyWithDockerdText()
    {
        var args = FilterArgs.Parse("""{"name":["a"],"bogus":["b"]}""");
        var error = Assert.Throws<DaemonException>(() => args.Validate(new HashSet<string> { "name" }));
        Assert.Equal(ErrorKind.InvalidParameter, error.Kind);
        Assert.Equal("invalid filter 'bogus'", error.Message);
        args.Validate(new HashSet<string> { "name", "bogus" });
    }

    [Theory]
    [InlineData("""{"dangling":["true"]}""", true)]
    [InlineData("""{"dangling":["1"]}""", true)]
    [InlineData("""{"dangling":["false"]}""", false)]
    [InlineData("""{"dangling":["0"]}""", false)]
    [InlineData("{}", true)]
    public void GetBoolOrDefault(string json, bool expected)
    {
        Assert.Equal(expected, FilterArgs.Parse(json).GetBoolOrDefault("dangling", true));
    }

    [Theory]
    [InlineData("""{"dangling":["maybe"]}""", "invalid filter 'dangling=[maybe]'")]
    [InlineData("""{"dangling":["true","false"]}""", "invalid filter 'dangling=[true false]'")]
    [InlineData("""{"dangling":[]}""", "invalid filter 'dangling'")]
    public void GetBoolOrDefaultRejectsUnclearValues(string json, string message)
    {
        var error = Assert.Throws<DaemonException>(() => FilterArgs.Parse(json).GetBoolOrDefault("dangling", true));
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("^web", "web-1", true)]
    [InlineData("^web$", "web-1", false)]
    [InlineData("(", "(", true)]   // invalid pattern skipped, but the exact match still counts
    [InlineData("(", "x(", false)]
    public void MatchUsesRegexAfterExact(string pattern, string source, bool expected)
    {
        Assert.Equal(expected, new FilterArgs().Add("name", pattern).Match("name", source));
    }

    [Fact]
    public void UniqueExactMatchNeedsASingleValue()
    {
        Assert.True(new FilterArgs().Add("k", "a").UniqueExactMatch("k", "a"));
        Assert.False(new FilterArgs().Add("k", "a").Add("k", "b").UniqueExactMatch("k", "a"));
    }
}
