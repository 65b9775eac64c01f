package dev.upsert.spring.shop;

import java.net.URI;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class MemberController {

    private final MemberRepository members;

    MemberController(MemberRepository members) {
        this.members = members;
    }

    @PostMapping("/members")
    ResponseEntity<String> join(@RequestParam String username) {
        Member member = members.save(new Member(username));
        return ResponseEntity.created(URI.create("/members/" + member.getId())).body("{\"id\":" + member.getId() + "}");
    }
}
