using Berth.Engine.Containers;
using Berth.Engine.Errors;

namespace Berth.UnitTests.Engine.Containers;

public sealed class TopParserTests
{
    [Fact]
    public void Parse_KeepsTheContainersPids_AndJoinsTheCommand()
    {
        string output = """
            UID          PID    PPID  C STIME TTY          TIME CMD
            root           1       0  0 10:00 ?        00:00:01 /sbin/init
            root        4242    4200  0 10:01 ?        00:00:00 sleep 1000
            root        4243    4242  0 10:01 ?        00:00:00 sh -c echo hi there
            """;
        TopResult top = TopParser.Parse(output.Replace("\r", "", StringComparison.Ordinal), [4242, 4243]);
        Assert.Equal(["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"], top.Titles);
        Assert.Equal(2, top.Processes.Count);
        Assert.Equal(["root", "4243", "4242", "0", "10:01", "?", "00:00:00", "sh -c echo hi there"], top.Processes[1]);
    }

    [Fact]
    public void Parse_ThreadLinesFollowTheirProcess()
    {
        string output = "USER PID TID CMD\nroot 10 - app\nroot - 11 -\nroot 20 - other\nroot - 21 -\n";
        TopResult top = TopParser.Parse(output, [10]);
        Assert.Equal(2, top.Processes.Count);
        Assert.Equal("-", top.Processes[1][1]);
    }

    [Fact]
    public void Parse_WithoutPidColumn_Fails() =>
        Assert.Equal("Couldn't find PID field in ps output",
            Assert.Throws<DaemonException>(() => TopParser.Parse("USER CMD\nroot x\n", [1])).Message);

    [Fact]
    public void Args_SplitOnSpaces_ThenPids()
    {
        Assert.Equal(["-o", "pid,comm", "-q1,2"], TopParser.Arguments("-o pid,comm", [1, 2], withPids: true));
        Assert.Equal(["aux"], TopParser.Arguments("aux", [1], withPids: false));
    }

    [Fact]
    public void ValidateArgs_OnlyPidMayBeRenamedToPid()
    {
        TopParser.ValidateArgs("-o pid=PID,comm");
        var e = Assert.Throws<DaemonException>(() => TopParser.ValidateArgs("-o user=PID"));
        Assert.Equal(ErrorKind.InvalidParameter, e.Kind);
        Assert.Equal("specifying \"user=PID\" is not allowed", e.Message);
    }
}
