// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title Atom: a monotonic head pointer (Wetware system design §13.1).
/// @notice The owner (the deployer) moves the head; every move increments
/// seq by one and emits HeadUpdated. The head holds binary CID bytes.
contract Atom {
    /// The only account allowed to call setHead.
    address public immutable owner;
    /// Number of head updates since deployment.
    uint64 public seq;
    bytes private _head;

    /// Emitted on every head update.
    event HeadUpdated(uint64 indexed seq, address indexed writer, bytes cid, bytes32 indexed cidHash);

    /// The caller is not the owner.
    error NotOwner();
    /// The new head equals the current one.
    error NoChange();

    constructor(bytes memory initialCid) {
        owner = msg.sender;
        _head = initialCid;
    }

    /// Returns the current seq and head.
    function head() external view returns (uint64 currentSeq, bytes memory cid) {
        return (seq, _head);
    }

    /// Replaces the head, increments seq and emits HeadUpdated.
    function setHead(bytes calldata newCid) external {
        if (msg.sender != owner) revert NotOwner();
        bytes32 h = keccak256(newCid);
        if (h == keccak256(_head)) revert NoChange();
        uint64 next = seq + 1;
        seq = next;
        _head = newCid;
        emit HeadUpdated(next, msg.sender, newCid, h);
    }
}
