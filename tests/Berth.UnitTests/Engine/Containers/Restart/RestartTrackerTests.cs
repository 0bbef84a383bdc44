using Berth.Engine.Containers;
using Berth.Engine.Containers.Restart;

namespace Berth.UnitTests.Engine.Containers.Restart;

public sealed class RestartTrackerTests
{
    private static readonly RestartPolicySettings Always = new("always");
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(1);

    /// <summary>Decide, then end the back-off, as the scheduler does between two exits.</summary>
    private static RestartDecision Exit(RestartTracker tracker, RestartPolicySettings policy, int code = 1, bool manual = false, TimeSpan? ran = null, int count = 0)
    {
        RestartDecision d = tracker.Decide(policy, code, manual, ran ?? Short, count);
        tracker.BackoffElapsed();
        return d;
    }

    [Fact]
    public void Backoff_StartsAt100ms_Doubles_AndStopsAtOneMinute()
    {
        var tracker = new RestartTracker();
        var delays = Enumerable.Range(0, 12).Select(_ => Exit(tracker, Always).Delay.TotalMilliseconds).ToList();
        Assert.Equal([100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000], delays);
    }

    [Fact]
    public void Backoff_ResetsAfterARunOfTenSecondsOrMore()
    {
        var tracker = new RestartTracker();
        Exit(tracker, Always);
        Exit(tracker, Always);
        Assert.Equal(400, Exit(tracker, Always).Delay.TotalMilliseconds);
        Assert.Equal(100, Exit(tracker, Always, ran: TimeSpan.FromSeconds(10)).Delay.TotalMilliseconds);
        Assert.Equal(200, Exit(tracker, Always, ran: TimeSpan.FromSeconds(9.9)).Delay.TotalMilliseconds);
    }

    [Theory]
    [InlineData("no", 1, false, false)]
    [InlineData("", 1, false, false)]
    [InlineData("always", 0, false, true)]
    [InlineData("always", 0, true, true)] // a manual stop cancels the tracker instead (see Cancel)
    [InlineData("unless-stopped", 0, false, true)]
    [InlineData("unless-stopped", 3, true, false)]
    [InlineData("on-failure", 0, false, false)]
    [InlineData("on-failure", 2, false, true)]
    [InlineData("on-failure", 137, true, true)]
    public void Policies_DecideByExitCodeAndManualStop(string policy, int code, bool manual, bool expected) =>
        Assert.Equal(expected, new RestartTracker().Decide(new RestartPolicySettings(policy), code, manual, Short, 0).Restart);

    [Fact]
    public void OnFailure_StopsAtTheMaximumRetryCount_ZeroMeansNoMaximum()
    {
        var max3 = new RestartPolicySettings("on-failure", 3);
        Assert.True(new RestartTracker().Decide(max3, 1, false, Short, 2).Restart);
        Assert.False(new RestartTracker().Decide(max3, 1, false, Short, 3).Restart);
        Assert.True(new RestartTracker().Decide(new RestartPolicySettings("on-failure", 0), 1, false, Short, 1000).Restart);
    }

    [Fact]
    public void Cancel_EndsRestartsForGood_AndReportsAPendingBackoff()
    {
        var tracker = new RestartTracker();
        Assert.True(tracker.Decide(Always, 1, false, Short, 0).Restart);
        Assert.True(tracker.Pending);
        Assert.True(tracker.Cancel());
        Assert.False(tracker.Pending);
        RestartDecision after = tracker.Decide(Always, 1, false, Short, 1);
        Assert.False(after.Restart);
        Assert.True(after.Canceled);
        Assert.False(tracker.Cancel());
    }

    [Fact]
    public void NoPolicy_IsNeverCancelledOrDelayed()
    {
        var tracker = new RestartTracker();
        tracker.Cancel();
        Assert.Equal(RestartDecision.None, tracker.Decide(new RestartPolicySettings("no"), 1, false, Short, 0));
        Assert.Equal(TimeSpan.Zero, tracker.CurrentDelay);
    }

    [Fact]
    public void WhilePending_ASecondExitDoesNotScheduleAgain()
    {
        var tracker = new RestartTracker();
        Assert.True(tracker.Decide(Always, 1, false, Short, 0).Restart);
        Assert.False(tracker.Decide(Always, 1, false, Short, 1).Restart);
    }
}

public sealed class RestartPoliciesTests
{
    [Theory]
    [InlineData("no", 0, null)]
    [InlineData("", 5, null)]
    [InlineData("always", 0, null)]
    [InlineData("unless-stopped", 0, null)]
    [InlineData("on-failure", 0, null)]
    [InlineData("on-failure", 5, null)]
    [InlineData("always", 3, "invalid restart policy: maximum retry count can only be used with 'on-failure'")]
    [InlineData("no", -1, "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative")]
    [InlineData("on-failure", -2, "invalid restart policy: maximum retry count cannot be negative")]
    [InlineData("sometimes", 0, "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'")]
    public void Problem_UsesDockerdsTexts(string name, int max, string? expected) =>
        Assert.Equal(expected, RestartPolicies.Problem(new RestartPolicySettings(name, max)));

    [Fact]
    public void AutoRemove_WithAPolicy_IsRefusedFirst()
    {
        var e = Assert.Throws<Berth.Engine.Errors.DaemonException>(() => RestartPolicies.Validate(new RestartPolicySettings("nope"), autoRemove: true));
        Assert.Equal(Berth.Engine.Errors.ErrorKind.InvalidParameter, e.Kind);
        Assert.Equal("can't create 'AutoRemove' container with restart policy", e.Message);
        RestartPolicies.Validate(new RestartPolicySettings("no"), autoRemove: true);
    }
}
