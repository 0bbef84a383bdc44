using Berth.Engine.Errors;
using Berth.Runtime.Monitor;
using Berth.Runtime.Oci;

namespace Berth.UnitTests.Runtime.Monitor;

public sealed class FramingAndErrorsTests
{
    [Fact]
    public void ConmonStderrMessage_BecomesDockerFrame()
    {
        byte[] frame = DockerFraming.FromConmonMessage([3, (byte)'h', (byte)'i'], tty: false);
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 0, 0, 2, (byte)'h', (byte)'i' }, frame);
    }

    [Fact]
    public void ConmonStdout_TtyIsRaw() =>
        Assert.Equal("hi"u8.ToArray(), DockerFraming.FromConmonMessage([2, (byte)'h', (byte)'i'], tty: true));

    [Fact]
    public void LargePayloadLength_IsBigEndian()
    {
        byte[] header = new byte[8];
        DockerFraming.WriteHeader(header, DockerStreamId.Stdout, 0x010203);
        Assert.Equal(new byte[] { 1, 0, 0, 0, 0, 1, 2, 3 }, header);
    }

    [Fact]
    public void RuntimeJsonErrors_AreExtractedAndClassified()
    {
        string stderr = "{\"level\":\"warning\",\"msg\":\"noise\",\"time\":\"t\"}\n{\"level\":\"error\",\"msg\":\"container does not exist\",\"time\":\"t\"}\n";
        Assert.Equal("container does not exist", RuntimeErrors.ExtractMessage(stderr));
        Assert.Equal(ErrorKind.NotFound, RuntimeErrors.Classify("kill", "container does not exist"));
        Assert.Equal(ErrorKind.Conflict, RuntimeErrors.Classify("pause", "container not running"));
        Assert.Equal(ErrorKind.System, RuntimeErrors.Classify("start", "boom"));
        Assert.Equal("plain text", RuntimeErrors.ExtractMessage("\nplain text\n"));
    }

    [Theory]
    [InlineData("exec: \"foo\": executable file not found in $PATH", ExecFailureKind.NotFound)]
    [InlineData("exec: \"/x\": stat /x: no such file or directory", ExecFailureKind.NotFound)]
    [InlineData("exec: \"/etc\": permission denied", ExecFailureKind.PermissionDenied)]
    [InlineData("something else", ExecFailureKind.None)]
    public void CreateFailures_MapToDockerExitSemantics(string message, ExecFailureKind expected)
    {
        var e = new RuntimeCreateException(message);
        Assert.Equal(expected, e.ExecFailure);
        Assert.Equal(expected == ExecFailureKind.None ? ErrorKind.System : ErrorKind.InvalidParameter, e.Kind);
        Assert.EndsWith(message + ": unknown", e.Message, StringComparison.Ordinal);
    }
}
