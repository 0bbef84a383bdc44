using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Berth.Engine.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Api.Streams;

/// <summary>
/// The server side of a websocket handshake (RFC 6455) on the connection Kestrel hands over, so
/// the attach/ws route needs no middleware: 101 with Sec-WebSocket-Accept, then a stream whose
/// writes are one message each and whose reads return message payloads (0 at the close).
/// dockerd's x/net/websocket server checks no Origin, and neither does this.
/// </summary>
public static class WebSocketHijack
{
    private const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public static async Task<Stream> AcceptAsync(HttpContext context, bool binary)
    {
        var request = context.Request;
        string key = request.Headers["Sec-WebSocket-Key"].ToString();
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true } || key.Length == 0
            || !request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase))
        {
            // x/net/websocket answers a plain request with 400 "Bad Request".
            throw DaemonException.InvalidParameter("websocket: the client is not using the websocket protocol");
        }
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 for the accept key; it protects nothing
        string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key.Trim() + Guid)));
#pragma warning restore CA5350
        var response = context.Response;
        response.Headers.Upgrade = "websocket";
        response.Headers.Connection = "Upgrade";
        response.Headers["Sec-WebSocket-Accept"] = accept;
        Stream raw = await upgrade.UpgradeAsync();
        WebSocket socket = WebSocket.CreateFromStream(raw, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        return WebSocketStream.Create(socket, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, ownsWebSocket: true);
    }
}
