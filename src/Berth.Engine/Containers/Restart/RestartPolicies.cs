using Berth.Engine.Errors;

namespace Berth.Engine.Containers.Restart;

/// <summary>
/// The restart policy names and dockerd's create-time validation (moby api/types/container
/// ValidateRestartPolicy as of API 1.44 / Engine 25; AutoRemove is checked first, as in
/// daemon/container.go validateHostConfig).
/// </summary>
public static class RestartPolicies
{
    public const string No = "no";
    public const string Always = "always";
    public const string UnlessStopped = "unless-stopped";
    public const string OnFailure = "on-failure";

    /// <summary>"" is what clients before Engine 25 sent for "no".</summary>
    public static bool IsNone(RestartPolicySettings policy) => policy.Name is "" or No;

    /// <summary>Throws dockerd's 400 for a policy create/update must refuse.</summary>
    public static void Validate(RestartPolicySettings policy, bool autoRemove)
    {
        if (autoRemove && !IsNone(policy))
        {
            throw DaemonException.InvalidParameter(Messages.InvalidRestartPolicyAutoRemove);
        }
        if (Problem(policy) is { } message)
        {
            throw DaemonException.InvalidParameter(message);
        }
    }

    /// <summary>The validation message, or null when the policy is fine.</summary>
    public static string? Problem(RestartPolicySettings policy) => policy.Name switch
    {
        Always or UnlessStopped or No when policy.MaximumRetryCount != 0 =>
            Messages.RestartPolicyMaxRetryOnlyOnFailure(negative: policy.MaximumRetryCount < 0),
        OnFailure when policy.MaximumRetryCount < 0 => Messages.RestartPolicyMaxRetryNegative,
        Always or UnlessStopped or No or OnFailure or "" => null,
        _ => Messages.RestartPolicyUnknown(policy.Name),
    };
}
