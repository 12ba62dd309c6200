"""Streams opened by a call: daemon-to-client data (read) and client-to-daemon (write).

Read stream, as libvirtd does it: after the REPLY, STREAM/CONTINUE packets carry the
data, an empty STREAM/CONTINUE says it has ended; the client's STREAM/OK (finish) is
confirmed with STREAM/OK. A client's STREAM/ERROR (abort) stops the data and is
confirmed with STREAM/OK. A failure while producing data is sent as STREAM/ERROR with
a remote_error. Sending goes through the session's ordered queue, so a client that does
not read slows its own stream down and nothing is buffered without bound.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import trio

from virtrio.drivers.base import StreamReply
from virtrio.rpc import stream as packets
from virtrio.rpc.errors import LibvirtError
from virtrio.rpc.packet import Header, MessageType, Packet, Status

from .dispatch import unexpected_failure

if TYPE_CHECKING:
    from .session import ClientSession

log = logging.getLogger("virtrio.server.streams")


class ClientStream:
    def __init__(self, session: ClientSession, call: Header, reply: StreamReply) -> None:
        self.session = session
        self.call = call
        self.reply = reply
        self._scope = trio.CancelScope()
        self._done = trio.Event()
        self._outcome: packets.StreamOutcome | None = None

    def _end(self, outcome: packets.StreamOutcome) -> None:
        if self._outcome is None:
            self._outcome = outcome
        self._scope.cancel()
        self._done.set()

    def client_gone(self) -> None:
        self._end(packets.StreamOutcome.GONE)

    async def run(self) -> None:
        session = self.session
        try:
            if self.reply.source is not None:
                with self._scope:
                    await self._send_data()
            await self._done.wait()
            if self._outcome is not None and self._outcome.confirmed:
                await session.send(packets.finish_packet(self.call))
        finally:
            session.streams.pop(self.call.serial, None)

    async def _send_data(self) -> None:
        session = self.session
        source = self.reply.source
        assert source is not None  # run() starts this only for a read stream
        try:
            async for chunk in source:
                if isinstance(chunk, int):  # a hole, on a sparse stream
                    await session.send(packets.hole_packet(self.call, chunk))
                    continue
                for data in packets.data_packets(self.call, chunk):
                    await session.send(data)
        except LibvirtError as error:
            failure = error
        except Exception as error:
            log.exception("stream for serial %d failed", self.call.serial)
            failure = unexpected_failure(error)
        else:
            await session.send(packets.end_of_data_packet(self.call))
            return
        self._outcome = packets.StreamOutcome.FAILED
        self._done.set()
        await session.send(packets.error_packet(self.call, failure.encode()))

    async def from_client(self, packet: Packet) -> None:
        header = packet.header
        sink = self.reply.sink
        if header.status == Status.ERROR:  # abort
            self._end(packets.StreamOutcome.ABORT)
            if sink is not None:
                await sink.abort()
            return
        if header.status == Status.OK:  # finish
            if sink is not None:
                await sink.finish()
            self._end(packets.StreamOutcome.FINISH)
            return
        if sink is None or self._outcome is not None:
            return  # data for a read stream, or after the stream failed: nothing to do with it
        try:
            if header.type == MessageType.STREAM_HOLE:
                await sink.hole(packets.decode_hole(packet.payload))
            elif packet.payload:
                await sink.write(packet.payload)
        except LibvirtError as error:
            await self._fail(error)
        except Exception as error:
            log.exception("stream for serial %d failed", self.call.serial)
            await self._fail(unexpected_failure(error))

    async def _fail(self, error: LibvirtError) -> None:
        """The data cannot be taken: tell the client, which then aborts its side."""
        self._outcome = packets.StreamOutcome.FAILED
        self._done.set()
        await self.session.send(packets.error_packet(self.call, error.encode()))
