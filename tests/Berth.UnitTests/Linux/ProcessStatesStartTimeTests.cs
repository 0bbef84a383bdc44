using Berth.Linux;

namespace Berth.UnitTests.Linux;

public class ProcessStatesStartTimeTests
{
    // Fields 3…22 of /proc/<pid>/stat: state, ppid, pgrp, session, tty_nr, tpgid, flags, minflt, cminflt,
    // majflt, cmajflt, utime, stime, cutime, cstime, priority, nice, num_threads, itrealvalue, starttime.
    private const string Fields3To22 = "S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654";
    private const string Rest = " 12345678 300 18446744073709551615 1 1 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

    [Theory]
    [InlineData("4242 (sleep) ")]
    [InlineData("4242 (x) (y z) ")]          // comm may hold ") (" and spaces: the last ')' ends it
    [InlineData("4242 ( ) S 1 2 3 ) ")]      // even something that looks like fields
    [InlineData("4242 ()) ")]
    public void StartTimeIsField22_AfterTheCommand(string head) =>
        Assert.Equal(987654UL, ProcessStates.ParseStartTime(head + Fields3To22 + Rest));

    [Fact]
    public void TheLineMayEndAtTheStartTime() =>
        Assert.Equal(987654UL, ProcessStates.ParseStartTime("4242 (sleep) " + Fields3To22));

    [Theory]
    [InlineData("")]
    [InlineData("4242 sleep S 1")]
    [InlineData("4242 (sleep) ")]
    [InlineData("4242 (sleep) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0")] // one field short
    [InlineData("4242 (sleep) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 -5 1")]
    [InlineData("4242 (sleep) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98x 1")]
    public void TooShortOrMalformed_IsNull(string stat) => Assert.Null(ProcessStates.ParseStartTime(stat));

    [Theory]
    [InlineData("4242 (sleep)")]
    public void EndingAtTheCommand_IsNull(string stat) => Assert.Null(ProcessStates.ParseStartTime(stat));

    [Fact]
    public void ThisProcess_HasAStartTime()
    {
        ulong? parsed = ProcessStates.ParseStartTime(File.ReadAllText("/proc/self/stat"));
        Assert.NotNull(parsed);
        Assert.True(parsed > 0);
        Assert.Equal(parsed, ProcessStates.StartTime(Environment.ProcessId));
        Assert.Null(ProcessStates.StartTime(0));
        Assert.Null(ProcessStates.StartTime(int.MaxValue));
    }

    [Fact]
    public void IsLive_WithAStartTime_IsThatProcessOnly()
    {
        ulong started = ProcessStates.StartTime(Environment.ProcessId) ?? throw new InvalidOperationException("no start time");
        Assert.True(ProcessStates.IsLive(Environment.ProcessId, started));
        Assert.False(ProcessStates.IsLive(Environment.ProcessId, started + 1)); // a recycled pid
        Assert.False(ProcessStates.IsLive(int.MaxValue, started));
        Assert.False(ProcessStates.IsLive(0, started));
    }
}
