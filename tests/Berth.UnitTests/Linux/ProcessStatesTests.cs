using Berth.Linux;

namespace Berth.UnitTests.Linux;

public class ProcessStatesTests
{
    [Theory]
    [InlineData("1234 (sleep) S 1 1234 1234 0 -1", 'S')]
    [InlineData("77 (a) b) (c) Z 1 77 77 0 -1", 'Z')]
    [InlineData("9 (with space) R 1", 'R')]
    public void StateIsTheLetterAfterTheLastParenthesis(string stat, char expected) =>
        Assert.Equal(expected, ProcessStates.Parse(stat));

    [Fact]
    public void TruncatedTextHasNoState() => Assert.Null(ProcessStates.Parse("12 (x)"));

    [Fact]
    public void ThisProcessIsLive_NoProcessIsNot()
    {
        Assert.True(ProcessStates.IsLive(Environment.ProcessId));
        Assert.False(ProcessStates.IsLive(0));
        Assert.Null(ProcessStates.Of(int.MaxValue));
    }
}
