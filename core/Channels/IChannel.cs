using CommLab.Estimators;
using static TorchSharp.torch;

namespace CommLab.Channels;

/// <summary>A communication channel: the sender's half (z_theta) turns the encoded target into a
/// message, the receiver's half (z_phi) turns the message into a vector to score candidates with.</summary>
public interface IChannel
{
    /// <summary>Message for encoded targets [B, H]: shape [B, MessageLength, WordLength].</summary>
    Tensor Send(Tensor encodedTarget);

    /// <summary>Receiver's reading of a message [B, M, W]: shape [B, H].</summary>
    Tensor Receive(Tensor message);

    /// <summary>The estimator of a GS channel (null otherwise); the trainer steps it after each gradient update.</summary>
    IDiscreteEstimator? Estimator { get; }
}
