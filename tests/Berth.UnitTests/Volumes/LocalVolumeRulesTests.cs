using Berth.Engine.Volumes;

namespace Berth.UnitTests.Volumes;

public sealed class LocalVolumeRulesTests
{
    private static readonly Func<string, bool> KnownFs = t => t is "tmpfs" or "ext4" or "nfs";

    [Theory]
    [InlineData("v1")]
    [InlineData("ab")]
    [InlineData("a.b_c-d")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123")]
    public void ValidNames(string name) => Assert.Null(LocalVolumeRules.ValidateName(name));

    [Fact]
    public void OneCharacterIsTooShort() =>
        Assert.Equal("volume name is too short, names should be at least two alphanumeric characters", LocalVolumeRules.ValidateName("x"));

    [Theory]
    [InlineData("a/b")]
    [InlineData("../x")]
    [InlineData(".hidden")]
    [InlineData("_x")]
    [InlineData("-x")]
    [InlineData("a b")]
    [InlineData("a:b")]
    [InlineData("vé")]
    public void InvalidCharacters(string name) =>
        Assert.Equal(
            $"\"{name}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path",
            LocalVolumeRules.ValidateName(name));

    public static TheoryData<string[], string?> OptionCases() => new()
    {
        { [], null },
        { ["type=tmpfs", "device=tmpfs"], null },
        { ["type=tmpfs", "device=tmpfs", "o=size=1m,uid=1000"], null },
        { ["type=tmpfs", "device=tmpfs", "size=1m"], null },
        { ["type=none", "device=/srv/data", "o=bind"], null },
        { ["type=none", "device=/srv/data", "o=rbind,ro"], null },
        { ["type=nfs", "device=:/export", "o=addr=10.0.0.1"], null },
        { ["foo=bar"], "invalid option: \"foo\"" },
        { ["type=tmpfs"], "missing required option: \"device\"" },
        { ["device=tmpfs"], "missing required option: \"type\"" },
        { ["o=size=1m"], "missing required option: \"device\"" },
        { ["o=size=1m", "device=tmpfs"], "missing required option: \"type\"" },
        { ["size=1m"], "quota size requested but no quota support" },
        { ["type=ext4", "device=/dev/sdz", "size=1m"], "quota size requested but no quota support" },
        { ["type=tmpfs", "device=tmpfs", "size=lots"], "invalid size: 'lots'" },
        { ["type=nosuchfs", "device=x"], "invalid option: unknown filesystem type \"nosuchfs\" (not in /proc/filesystems and no kernel module)" },
        { ["type=none", "device=/srv"], "invalid option: type \"none\" is only valid with o=bind or o=rbind" },
        { ["type=none", "device=srv", "o=bind"], "invalid option: bind device \"srv\" must be an absolute path" },
    };

    [Theory]
    [MemberData(nameof(OptionCases))]
    public void Options(string[] pairs, string? expected)
    {
        var options = pairs.Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(expected, LocalVolumeRules.ValidateOptions(options, KnownFs));
    }

    [Theory]
    [InlineData("1m", 1048576)]
    [InlineData("1MiB", 1048576)]
    [InlineData("1 mb", 1048576)]
    [InlineData("512", 512)]
    [InlineData("1.5k", 1536)]
    [InlineData("2g", 2147483648)]
    public void RamSizes(string text, long bytes)
    {
        Assert.True(LocalVolumeRules.TryParseRamSize(text, out long parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1m")]
    [InlineData("1x")]
    [InlineData("m")]
    public void BadRamSizes(string text) => Assert.False(LocalVolumeRules.TryParseRamSize(text, out _));

    [Fact]
    public void TmpfsSizeBecomesAMountOption()
    {
        var args = LocalVolumeRules.MountArguments(new Dictionary<string, string> { ["type"] = "tmpfs", ["device"] = "tmpfs", ["size"] = "1m", ["o"] = "mode=700" });
        Assert.Equal(("tmpfs", "tmpfs", "mode=700,size=1048576"), args);
        // An explicit o=size wins.
        args = LocalVolumeRules.MountArguments(new Dictionary<string, string> { ["type"] = "tmpfs", ["device"] = "tmpfs", ["size"] = "1m", ["o"] = "size=2m" });
        Assert.Equal("size=2m", args.Options);
    }

    [Fact]
    public void NeedsMountOnlyWithDeviceOrType()
    {
        Assert.False(LocalVolumeRules.NeedsMount(null));
        Assert.False(LocalVolumeRules.NeedsMount(new Dictionary<string, string>()));
        Assert.True(LocalVolumeRules.NeedsMount(new Dictionary<string, string> { ["type"] = "tmpfs", ["device"] = "tmpfs" }));
    }
}
