using System.Text;
using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.UnitTests.Engine.Images;

public class ImageConfigTests
{
    [Fact]
    public void Writer_ProducesDockerShapedConfigThatParsesBack()
    {
        var created = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        var run = ImportChanges.Apply(new RunConfig(), ["CMD [\"/bin/sh\"]", "EXPOSE 80", "LABEL a=b"]);
        var diffId = Digest.Compute("layer"u8);
        var bytes = ImageConfigWriter.Write(new NewImageConfig("amd64", "linux", null, created, "Imported from -", "0.1.0", run,
            [diffId], [new HistoryEntry { Created = created, Comment = "Imported from -" }]));
        string json = Encoding.UTF8.GetString(bytes);

        Assert.Contains("\"created\":\"2024-05-01T12:00:00.1234567Z\"", json);
        Assert.Contains("\"Hostname\":\"\"", json);
        Assert.Contains("\"ExposedPorts\":{\"80/tcp\":{}}", json);
        Assert.Contains("\"Entrypoint\":null", json);
        Assert.Contains("\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}", json);

        var parsed = ImageService.ParseConfig(bytes);
        Assert.Equal(created, parsed.Created);
        Assert.Equal(["/bin/sh"], parsed.Config!.Cmd);
        Assert.Equal("b", parsed.Config.Labels!["a"]);
        Assert.Equal([diffId], parsed.DiffIds);
        Assert.Equal("Imported from -", Assert.Single(parsed.History!).Comment);
    }

    [Fact]
    public void Parser_ReadsOciConfigWithNanosecondsAndUnknownFields()
    {
        string json = """
            {"architecture":"arm64","variant":"v8","os":"linux","created":"2023-05-19T20:19:23.944429337Z",
             "config":{"Env":["PATH=/bin"],"Cmd":["sh"],"ExposedPorts":{"53/udp":{}},"Unknown":1},
             "rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]},
             "history":[{"created":"2023-05-19T20:19:23Z","created_by":"/bin/sh -c #(nop) CMD [\"sh\"]","empty_layer":true}]}
            """;
        var config = ImageService.ParseConfig(Encoding.UTF8.GetBytes(json));
        Assert.Equal("arm64", config.Architecture);
        Assert.Equal("v8", config.Variant);
        Assert.Equal(new DateTimeOffset(2023, 5, 19, 20, 19, 23, TimeSpan.Zero).AddTicks(9444293), config.Created);
        Assert.True(config.History![0].EmptyLayer);
        Assert.Contains("53/udp", config.Config!.ExposedPorts!.Keys);
    }

    [Fact]
    public void Parser_RejectsGarbageAsInvalidParameter()
    {
        Assert.Equal(ErrorKind.InvalidParameter, Assert.Throws<DaemonException>(() => ImageService.ParseConfig("{"u8)).Kind);
        Assert.Equal(ErrorKind.InvalidParameter, Assert.Throws<DaemonException>(
            () => ImageService.ParseConfig("""{"rootfs":{"diff_ids":["md5:x"]}}"""u8)).Kind);
    }

    [Theory]
    [InlineData(0, "2024-01-02T03:04:05Z")]
    [InlineData(1, "2024-01-02T03:04:05.0000001Z")]
    [InlineData(5_000_000, "2024-01-02T03:04:05.5Z")]
    public void FormatRfc3339Nano_TrimsTrailingZeros(long ticks, string expected) =>
        Assert.Equal(expected, GoTime.FormatRfc3339Nano(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(ticks)));

    [Fact]
    public void ParseTimestamp_DurationsDatesAndUnixSeconds()
    {
        var now = new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(now.AddHours(-24), GoTime.ParseTimestamp("24h", now));
        Assert.Equal(now.AddMinutes(-90), GoTime.ParseTimestamp("1h30m", now));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), GoTime.ParseTimestamp("1700000000", now));
        Assert.Equal(new DateTimeOffset(2023, 1, 1, 10, 0, 0, TimeSpan.Zero), GoTime.ParseTimestamp("2023-01-01T10:00:00Z", now));
        Assert.Throws<DaemonException>(() => GoTime.ParseTimestamp("yesterday", now));
    }
}
