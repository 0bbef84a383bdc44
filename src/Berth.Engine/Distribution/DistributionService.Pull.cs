using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Engine.Images.Archive;
using Berth.Engine.Images.References;

namespace Berth.Engine.Distribution;

/// <summary>POST /images/create?fromImage=…: what to pull.</summary>
/// <param name="Reference">name:tag, name@digest, or a bare name (every tag: docker pull -a).</param>
public sealed record PullRequest(ImageReference Reference, string? Platform, RegistryAuth Auth);

public sealed partial class DistributionService
{
    public async Task PullAsync(PullRequest request, ProgressSink sink, CancellationToken cancellationToken)
    {
        var reference = request.Reference;
        var repository = reference.TrimNamed();
        if (repository.FamiliarName == "scratch")
        {
            throw DaemonException.Forbidden(Messages.ReservedName("scratch"));
        }
        var platform = PlatformOf(request.Platform);
        try
        {
            await OnEndpointsAsync(_hosts.PullEndpoints(reference.Domain), reference.FamiliarString, async endpoint =>
            {
                using var client = new RegistryClient(endpoint, reference.Path, request.Auth, CertsDir, "pull");
                await client.PingAsync(cancellationToken);
                bool changed = false;
                if (reference.IsNameOnly)
                {
                    foreach (var tag in await client.ListTagsAsync(cancellationToken))
                    {
                        changed |= await PullOneAsync(client, reference.WithTag(tag), platform, sink, cancellationToken);
                    }
                }
                else
                {
                    changed = await PullOneAsync(client, reference, platform, sink, cancellationToken);
                }
                var shown = reference.FamiliarString;
                await sink(ProgressMessage.Message(null, changed ? "Status: Downloaded newer image for " + shown : "Status: Image is up to date for " + shown), cancellationToken);
                return true;
            }, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw TranslatePullError(e, reference);
        }
        _images.PublishEvent("pull", reference.FamiliarString, repository.FamiliarName);
    }

    /// <summary>moby pullTag: manifest (or index → the platform's manifest), config, layers, then the references.</summary>
    private async Task<bool> PullOneAsync(RegistryClient client, ImageReference reference, (string Os, string Architecture, string? Variant) platform,
        ProgressSink sink, CancellationToken cancellationToken)
    {
        string tagOrDigest = reference.Digest?.ToString() ?? reference.Tag!;
        var fetched = await client.GetManifestAsync(tagOrDigest, cancellationToken);
        if (reference.Digest is { } wanted && fetched.Digest != wanted)
        {
            throw DaemonException.System(Messages.ManifestVerificationFailed(wanted));
        }
        CheckManifestType(fetched.MediaType, reference);
        await sink(ProgressMessage.Message(tagOrDigest, "Pulling from " + reference.TrimNamed().FamiliarName), cancellationToken);

        var manifestDigest = fetched.Digest;
        var image = fetched;
        if (MediaTypes.IsIndex(fetched.MediaType))
        {
            var index = ParseJson(fetched.Bytes, ArchiveJson.Context.OciIndex);
            var matcher = new PlatformMatcher(platform.Architecture, platform.Variant);
            var choice = matcher.Select(index.Manifests ?? []) ?? throw DaemonException.NotFound(Messages.NoMatchingManifest(FormatPlatform(platform)));
            if (!Digest.TryParse(choice.Digest, out var childDigest))
            {
                throw DaemonException.InvalidParameter($"invalid digest in manifest list: {choice.Digest}");
            }
            image = await client.GetManifestAsync(childDigest.ToString(), cancellationToken);
            if (image.Digest != childDigest)
            {
                throw DaemonException.System(Messages.ManifestVerificationFailed(childDigest));
            }
            CheckManifestType(image.MediaType, reference);
            if (!MediaTypes.IsManifest(image.MediaType))
            {
                throw DaemonException.NotFound(Messages.NoMatchingManifest(FormatPlatform(platform)));
            }
        }
        var manifest = ParseJson(image.Bytes, ArchiveJson.Context.OciManifest);

        bool recorded = false;
        try
        {
            using (_images.BeginWrite())
            {
                var (id, configBytes) = await PullImageAsync(client, manifest, sink, cancellationToken);
                await sink(ProgressMessage.Message(null, "Digest: " + manifestDigest), cancellationToken);
                bool changed = _images.RecordPull(id, configBytes, reference, manifestDigest);
                recorded = true;
                return changed;
            }
        }
        finally
        {
            if (!recorded)
            {
                // Layers committed by this pull belong to no image: drop them now, not at the next start.
                _images.CollectGarbage();
            }
        }
    }

    private static void CheckManifestType(string mediaType, ImageReference reference)
    {
        if (ManifestMediaTypes.IsSchema1(mediaType))
        {
            throw DaemonException.InvalidParameter(Messages.DeprecatedSchema1(reference.ToString()));
        }
        if (!MediaTypes.IsIndex(mediaType) && !MediaTypes.IsManifest(mediaType))
        {
            throw DaemonException.InvalidParameter(Messages.UnsupportedManifestFormat);
        }
    }

    private static T ParseJson<T>(byte[] bytes, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(bytes, type) ?? throw DaemonException.InvalidParameter(Messages.UnsupportedManifestFormat);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw DaemonException.InvalidParameter("invalid manifest: " + e.Message);
        }
    }
}
