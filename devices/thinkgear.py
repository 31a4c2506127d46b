"""NeuroSky ThinkGear serial protocol (MindWave, MindSet; ``thinkgear:`` URLs, 57600 baud).

A packet is ``AA AA len payload chk`` with ``len <= 169`` and ``chk = ~sum(payload) & 0xFF``. The
payload is a list of rows: an optional run of 0x55 extended-code bytes, a code, and for codes
>= 0x80 a length byte, then the value. One packet becomes one EegSample with the rows it carried.

Raw samples (int16) and band powers (24-bit) fill their whole encoding, but the one-byte rows do
not: a packet whose checksum holds with poor signal over 200 or attention or meditation over 100
is counted as implausible, not delivered.
"""

from __future__ import annotations

from devices.base import Sample
from devices.parsing import CHECKSUM_ERROR, FRAMING_ERROR, IMPLAUSIBLE, NEED_MORE, NOT_A_START, SyncFrameParser
from rehab.core.types import EegSample

SYNC = 0xAA
EXCODE = 0x55
MAX_PAYLOAD = 169
POOR_SIGNAL, ATTENTION, MEDITATION, BLINK = 0x02, 0x04, 0x05, 0x16
RAW, BANDS = 0x80, 0x83
#: the largest value each one-byte row may carry (the headset's documented ranges)
MAX_POOR_SIGNAL, MAX_ESENSE = 200, 100
BAND_NAMES = ("delta", "theta", "low_alpha", "high_alpha", "low_beta", "high_beta", "low_gamma", "mid_gamma")


def checksum(payload: bytes | bytearray) -> int:
    return ~sum(payload) & 0xFF


def encode_packet(payload: bytes) -> bytes:
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"ThinkGear payload is at most {MAX_PAYLOAD} bytes, got {len(payload)}")
    return bytes([SYNC, SYNC, len(payload)]) + payload + bytes([checksum(payload)])


def encode_sample(sample: EegSample) -> bytes:
    """The packet a headset would send for this sample (simulator, tests, benchmarks)."""
    payload = bytearray()
    if sample.poor_signal is not None:
        payload += bytes([POOR_SIGNAL, sample.poor_signal])
    if sample.attention is not None:
        payload += bytes([ATTENTION, sample.attention])
    if sample.meditation is not None:
        payload += bytes([MEDITATION, sample.meditation])
    if sample.raw is not None:
        payload += bytes([RAW, 2]) + sample.raw.to_bytes(2, "big", signed=True)
    if sample.bands is not None:
        payload += bytes([BANDS, 24]) + b"".join(b.to_bytes(3, "big") for b in sample.bands)
    return encode_packet(bytes(payload))


def decode_payload(payload: bytes | bytearray, now: float, device: str) -> EegSample | None:
    """The sample a payload describes, or None when its rows overrun it (a framing error)."""
    fields: dict[str, object] = {}
    i, n = 0, len(payload)
    while i < n:
        while i < n and payload[i] == EXCODE:
            i += 1
        if i >= n:
            return None
        code = payload[i]
        i += 1
        if code >= 0x80:
            if i >= n:
                return None
            vlen = payload[i]
            i += 1
        else:
            vlen = 1
        if i + vlen > n:
            return None
        value = payload[i : i + vlen]
        i += vlen
        if code == POOR_SIGNAL:
            fields["poor_signal"] = value[0]
        elif code == ATTENTION:
            fields["attention"] = value[0]
        elif code == MEDITATION:
            fields["meditation"] = value[0]
        elif code == RAW and vlen == 2:
            fields["raw"] = int.from_bytes(value, "big", signed=True)
        elif code == BANDS and vlen == 24:
            fields["bands"] = tuple(int.from_bytes(value[k : k + 3], "big") for k in range(0, 24, 3))
        # other rows (blink strength, heart rate, ...) are valid but unused
    return EegSample(now, device, **fields)  # type: ignore[arg-type]


class ThinkGearParser(SyncFrameParser):
    SYNC = bytes([SYNC, SYNC])
    MIN_FRAME = 3  # sync and length: enough to tell a longer sync run or an impossible length

    def __init__(self, device: str = "thinkgear") -> None:
        super().__init__(device)

    def read_frame(self, buf: bytearray, i: int, end: int, now: float, out: list[Sample]) -> int:
        length = buf[i + 2]
        if length == 4 and end - i >= 8 and buf[i + 3] == RAW and buf[i + 4] == 2:
            return self._raw_run(buf, i, end, now, out)
        if length == SYNC:
            return NOT_A_START  # AA AA AA: a longer sync run; the packet starts one byte later
        if length > MAX_PAYLOAD:
            return FRAMING_ERROR
        if end - i < length + 4:
            return NEED_MORE
        payload = buf[i + 3 : i + 3 + length]
        if ~sum(payload) & 0xFF != buf[i + 3 + length]:  # checksum(), inlined: this runs for every packet
            return CHECKSUM_ERROR
        sample = decode_payload(payload, now, self.device)
        if sample is None:
            return FRAMING_ERROR
        if not plausible(sample):
            return IMPLAUSIBLE
        out.append(sample)
        return length + 4

    def _raw_run(self, buf: bytearray, i: int, end: int, now: float, out: list[Sample]) -> int:
        """The packets a headset sends 512 times a second, one raw sample each, read without the
        row loop: this one and every valid raw packet right after it (counted here as frames but
        the first, which the caller counts), so the hunt runs once per run of them, not per packet."""
        start, device = i, self.device
        while True:
            hi, lo = buf[i + 5], buf[i + 6]
            if (~(RAW + 2 + hi + lo)) & 0xFF != buf[i + 7]:
                break
            out.append(EegSample(now, device, raw=((hi << 8) | lo) - ((hi & 0x80) << 9)))
            i += 8
            if not (end - i >= 8 and buf[i : i + 5] == _RAW_HEAD):
                break
        if i == start:
            return CHECKSUM_ERROR
        self.stats.frames += (i - start) // 8 - 1
        return i - start


_RAW_HEAD = bytes([SYNC, SYNC, 4, RAW, 2])


def plausible(sample: EegSample) -> bool:
    """The one-byte rows within the ranges the headset documents."""
    return (
        (sample.poor_signal is None or sample.poor_signal <= MAX_POOR_SIGNAL)
        and (sample.attention is None or sample.attention <= MAX_ESENSE)
        and (sample.meditation is None or sample.meditation <= MAX_ESENSE)
    )
